using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Json;

namespace BatchOps.Engine.Reporting
{
    /// <summary>
    /// Writes result rows (<see cref="ResultRow"/>) to a stream as CSV, a JSON array or JSON Lines, one row at a time.
    /// CSV needs its columns before the first row; a JSON row carries its own names, and a nested object or array of
    /// a result stays JSON there (in CSV it is its JSON text). Times are ISO 8601 with their offset; UTF-8, no BOM.
    /// </summary>
    public sealed class ResultWriter : IDisposable
    {
        private static readonly UTF8Encoding Utf8 = new UTF8Encoding(false);
        private static readonly byte[] NewLine = Utf8.GetBytes(Environment.NewLine);

        private readonly ResultFormat _format;
        private readonly Stream _stream;
        private readonly StreamWriter? _text;
        private readonly Utf8JsonWriter? _json;
        private readonly IReadOnlyList<string> _columns;

        /// <param name="stream">Where the rows go; left open.</param>
        /// <param name="format">CSV, JSON or JSON Lines.</param>
        /// <param name="columns">CSV only: the header, in order; a row's cell whose name is not among them is not written.</param>
        public ResultWriter(Stream stream, ResultFormat format, IReadOnlyList<string>? columns = null)
        {
            _stream = stream;
            _format = format;
            _columns = columns ?? Array.Empty<string>();
            if (format == ResultFormat.Csv)
            {
                _text = new StreamWriter(stream, Utf8, 64 * 1024, leaveOpen: true) { NewLine = Environment.NewLine };
                WriteCsvLine(_columns);
            }
            else
            {
                _json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = format == ResultFormat.Json, SkipValidation = false });
                if (format == ResultFormat.Json)
                {
                    _json.WriteStartArray();
                }
            }
        }

        public long Rows { get; private set; }

        public void Write(IReadOnlyList<ResultCell> row)
        {
            Rows++;
            if (_text != null)
            {
                var fields = new string[_columns.Count];
                foreach (ResultCell cell in row)
                {
                    for (int i = 0; i < _columns.Count; i++)
                    {
                        if (fields[i] == null && string.Equals(_columns[i], cell.Name, StringComparison.OrdinalIgnoreCase))
                        {
                            fields[i] = Text(cell.Value);
                            break;
                        }
                    }
                }

                WriteCsvLine(fields);
                return;
            }

            _json!.WriteStartObject();
            foreach (ResultCell cell in row)
            {
                WriteJson(_json, cell);
            }

            _json.WriteEndObject();
            if (_format == ResultFormat.Jsonl)
            {
                _json.Flush();
                _stream.Write(NewLine, 0, NewLine.Length);
                _json.Reset(_stream); // the next line is a new top-level value
            }
        }

        /// <summary>Ends the document (the JSON array) and flushes everything to the stream.</summary>
        public void Complete()
        {
            if (_text != null)
            {
                _text.Flush();
                return;
            }

            if (_format == ResultFormat.Json)
            {
                _json!.WriteEndArray();
                _json.Flush();
                _stream.Write(NewLine, 0, NewLine.Length);
            }

            _json!.Flush();
        }

        public void Dispose()
        {
            _json?.Dispose();
            _text?.Dispose();
        }

        /// <summary>A value as CSV text: invariant numbers, True/False, ISO 8601 times, empty for null.</summary>
        public static string Text(object? value)
        {
            switch (value)
            {
                case null:
                    return "";
                case string text:
                    return text;
                case bool flag:
                    return flag ? "True" : "False";
                case DateTime time:
                    return time.ToString("o", CultureInfo.InvariantCulture);
                case double number:
                    return number.ToString("R", CultureInfo.InvariantCulture);
                case IFormattable formattable:
                    return formattable.ToString(null, CultureInfo.InvariantCulture);
                default:
                    return value.ToString() ?? "";
            }
        }

        private static void WriteJson(Utf8JsonWriter json, ResultCell cell)
        {
            switch (cell.Value)
            {
                case null:
                    json.WriteNull(cell.Name);
                    break;
                case string text when cell.IsJson:
                    json.WritePropertyName(cell.Name);
                    json.WriteRawValue(text, skipInputValidation: false);
                    break;
                case string text:
                    json.WriteString(cell.Name, text);
                    break;
                case bool flag:
                    json.WriteBoolean(cell.Name, flag);
                    break;
                case DateTime time:
                    json.WriteString(cell.Name, time);
                    break;
                case int whole:
                    json.WriteNumber(cell.Name, whole);
                    break;
                case long whole:
                    json.WriteNumber(cell.Name, whole);
                    break;
                case double number:
                    json.WriteNumber(cell.Name, number);
                    break;
                default:
                    json.WriteString(cell.Name, Text(cell.Value));
                    break;
            }
        }

        private void WriteCsvLine(IReadOnlyList<string?> fields)
        {
            for (int i = 0; i < fields.Count; i++)
            {
                if (i > 0)
                {
                    _text!.Write(',');
                }

                _text!.Write('"');
                _text.Write((fields[i] ?? "").Replace("\"", "\"\""));
                _text.Write('"');
            }

            _text!.WriteLine();
        }
    }
}
