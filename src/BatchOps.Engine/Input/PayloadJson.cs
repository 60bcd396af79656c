using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Json;

namespace BatchOps.Engine.Input
{
    /// <summary>
    /// An item's payload is kept as JSON, so that a resumed run (even in another process, days later) gives the
    /// processor exactly the data the first run had. This class writes a plain object tree to JSON and reads it back.
    /// A tree is made of null, string, bool, numbers, DateTime/DateTimeOffset, Guid, enums,
    /// IDictionary (string keys) and IEnumerable.
    /// </summary>
    public static class PayloadJson
    {
        public const int MaxDepth = 32;

        public static string FromText(string text) => Write(text);

        public static string Write(object? tree)
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                WriteValue(json, tree, 0);
            }

            return Encoding.UTF8.GetString(buffer.ToArray());
        }

        /// <summary>The payload as a command-line argument: a JSON string's text, else the JSON itself.</summary>
        public static string ToText(string? payload)
        {
            if (string.IsNullOrEmpty(payload))
            {
                return "";
            }

            if (FileSystemPayload.TryRead(payload, out string path))
            {
                return path;
            }

            if (payload![0] == '"')
            {
                try
                {
                    return JsonSerializer.Deserialize<string>(payload) ?? "";
                }
                catch (JsonException)
                {
                    return payload;
                }
            }

            return payload;
        }

        /// <summary>Reads a payload back into a tree: objects become ordered dictionaries, arrays lists.</summary>
        public static object? Read(string? payload)
        {
            if (string.IsNullOrEmpty(payload))
            {
                return null;
            }

            using JsonDocument document = JsonDocument.Parse(payload!);
            return ToTree(document.RootElement);
        }

        private static object? ToTree(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    var map = new List<KeyValuePair<string, object?>>();
                    foreach (JsonProperty property in element.EnumerateObject())
                    {
                        map.Add(new KeyValuePair<string, object?>(property.Name, ToTree(property.Value)));
                    }

                    return map;
                case JsonValueKind.Array:
                    var list = new List<object?>();
                    foreach (JsonElement child in element.EnumerateArray())
                    {
                        list.Add(ToTree(child));
                    }

                    return list;
                case JsonValueKind.String:
                    return element.GetString();
                case JsonValueKind.Number:
                    if (element.TryGetInt32(out int i))
                    {
                        return i;
                    }

                    if (element.TryGetInt64(out long l))
                    {
                        return l;
                    }

                    return element.GetDouble();
                case JsonValueKind.True:
                    return true;
                case JsonValueKind.False:
                    return false;
                default:
                    return null;
            }
        }

        private static void WriteValue(Utf8JsonWriter json, object? value, int depth)
        {
            switch (value)
            {
                case null:
                    json.WriteNullValue();
                    return;
                case string s:
                    json.WriteStringValue(s);
                    return;
                case char c:
                    json.WriteStringValue(c.ToString());
                    return;
                case bool b:
                    json.WriteBooleanValue(b);
                    return;
                case Enum e:
                    json.WriteStringValue(e.ToString());
                    return;
                case int n:
                    json.WriteNumberValue(n);
                    return;
                case long n:
                    json.WriteNumberValue(n);
                    return;
                case short n:
                    json.WriteNumberValue(n);
                    return;
                case byte n:
                    json.WriteNumberValue(n);
                    return;
                case sbyte n:
                    json.WriteNumberValue(n);
                    return;
                case ushort n:
                    json.WriteNumberValue(n);
                    return;
                case uint n:
                    json.WriteNumberValue(n);
                    return;
                case ulong n:
                    json.WriteNumberValue(n);
                    return;
                case decimal n:
                    json.WriteNumberValue(n);
                    return;
                case double d:
                    WriteFloat(json, d);
                    return;
                case float f:
                    WriteFloat(json, f);
                    return;
                case DateTime dt:
                    json.WriteStringValue(dt.ToString("o", CultureInfo.InvariantCulture));
                    return;
                case DateTimeOffset dto:
                    json.WriteStringValue(dto.ToString("o", CultureInfo.InvariantCulture));
                    return;
                case Guid g:
                    json.WriteStringValue(g.ToString());
                    return;
                case TimeSpan ts:
                    json.WriteStringValue(ts.ToString("c", CultureInfo.InvariantCulture));
                    return;
            }

            if (depth >= MaxDepth)
            {
                json.WriteStringValue(value.ToString());
                return;
            }

            if (value is IEnumerable<KeyValuePair<string, object?>> pairs)
            {
                json.WriteStartObject();
                foreach (KeyValuePair<string, object?> pair in pairs)
                {
                    json.WritePropertyName(pair.Key);
                    WriteValue(json, pair.Value, depth + 1);
                }

                json.WriteEndObject();
                return;
            }

            if (value is IDictionary dictionary)
            {
                json.WriteStartObject();
                foreach (DictionaryEntry entry in dictionary)
                {
                    json.WritePropertyName(Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? "");
                    WriteValue(json, entry.Value, depth + 1);
                }

                json.WriteEndObject();
                return;
            }

            if (value is IEnumerable sequence)
            {
                json.WriteStartArray();
                foreach (object? element in sequence)
                {
                    WriteValue(json, element, depth + 1);
                }

                json.WriteEndArray();
                return;
            }

            json.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
        }

        private static void WriteFloat(Utf8JsonWriter json, double d)
        {
            if (double.IsNaN(d) || double.IsInfinity(d))
            {
                json.WriteStringValue(d.ToString(CultureInfo.InvariantCulture)); // JSON has no NaN or Infinity
            }
            else
            {
                json.WriteNumberValue(d);
            }
        }
    }
}
