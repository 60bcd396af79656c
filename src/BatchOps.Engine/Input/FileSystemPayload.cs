using System;
using System.Collections.Generic;
using System.Text.Json;

namespace BatchOps.Engine.Input
{
    /// <summary>
    /// The payload of an item made from a file or folder: its full path, marked as a file-system item so that a
    /// script block gets the file again (not a string), while a command's {Payload} and BATCHOPS_PAYLOAD still get
    /// the plain path. Stored as {"$fileSystemPath": "/full/path"}.
    /// </summary>
    public static class FileSystemPayload
    {
        public const string Property = "$fileSystemPath";

        public static string Write(string fullPath) => PayloadJson.Write(new Dictionary<string, object?> { [Property] = fullPath });

        /// <summary>The path, if the payload is a file-system item's.</summary>
        public static bool TryRead(string? payload, out string path)
        {
            path = "";
            if (payload == null || !payload.StartsWith("{\"" + Property + "\":", StringComparison.Ordinal))
            {
                return false; // the common case, without parsing
            }

            try
            {
                using JsonDocument document = JsonDocument.Parse(payload);
                JsonElement root = document.RootElement;
                int count = 0;
                foreach (JsonProperty property in root.EnumerateObject())
                {
                    count++;
                    if (property.Name == Property && property.Value.ValueKind == JsonValueKind.String)
                    {
                        path = property.Value.GetString() ?? "";
                    }
                }

                return count == 1 && path.Length > 0;
            }
            catch (JsonException)
            {
                return false;
            }
        }
    }
}
