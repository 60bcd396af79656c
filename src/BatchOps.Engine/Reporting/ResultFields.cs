using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;

namespace BatchOps.Engine.Reporting
{
    /// <summary>
    /// The fields of an item's result when it is a JSON object (what a script block's object output is stored as):
    /// name and plain value (text, number, true/false, null; a nested object or array stays JSON text), so that a
    /// result becomes columns of a CSV rather than one blob. Null when the result is not a JSON object.
    /// </summary>
    public static class ResultFields
    {
        public static IReadOnlyList<KeyValuePair<string, object?>>? Of(string? result)
        {
            IReadOnlyList<ResultCell>? fields = Detailed(result);
            if (fields == null)
            {
                return null;
            }

            var plain = new List<KeyValuePair<string, object?>>(fields.Count);
            foreach (ResultCell field in fields)
            {
                plain.Add(new KeyValuePair<string, object?>(field.Name, field.Value));
            }

            return plain;
        }

        /// <summary>As <see cref="Of"/>, as cells that say whether a value is a nested object or array (JSON text).</summary>
        public static IReadOnlyList<ResultCell>? Detailed(string? result)
        {
            if (string.IsNullOrWhiteSpace(result) || result!.TrimStart()[0] != '{')
            {
                return null;
            }

            try
            {
                using JsonDocument document = JsonDocument.Parse(result);
                var fields = new List<ResultCell>();
                foreach (JsonProperty property in document.RootElement.EnumerateObject())
                {
                    JsonValueKind kind = property.Value.ValueKind;
                    fields.Add(new ResultCell(property.Name, Plain(property.Value), kind == JsonValueKind.Object || kind == JsonValueKind.Array));
                }

                return fields;
            }
            catch (JsonException)
            {
                return null; // text that merely starts with a brace
            }
        }

        private static object? Plain(JsonElement value)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.String:
                    return value.GetString();
                case JsonValueKind.Number:
                    return value.TryGetInt64(out long whole) ? (object)whole : value.GetDouble(); // (object): else both become double
                case JsonValueKind.True:
                    return true;
                case JsonValueKind.False:
                    return false;
                case JsonValueKind.Null:
                case JsonValueKind.Undefined:
                    return null;
                default:
                    return value.GetRawText();
            }
        }
    }
}
