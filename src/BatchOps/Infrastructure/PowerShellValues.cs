using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using BatchOps.Engine;

namespace BatchOps.Infrastructure
{
    /// <summary>
    /// Converts between PowerShell objects and the plain trees the engine stores as JSON: input objects to payloads,
    /// payloads back to objects for a script block's $_, and a script block's output to an item's result.
    /// </summary>
    internal static class PowerShellValues
    {
        /// <summary>How deep an input object's properties are followed; deeper values are kept as text.</summary>
        public const int MaxDepth = 4;

        public static object? ToTree(object? value, int depth = 0)
        {
            if (value is PSObject wrapped)
            {
                if (wrapped.BaseObject is PSCustomObject)
                {
                    return depth >= MaxDepth ? wrapped.ToString() : Properties(wrapped, depth);
                }

                value = wrapped.BaseObject;
            }

            switch (value)
            {
                case null:
                    return null;
                case string _:
                case char _:
                case bool _:
                case DateTime _:
                case DateTimeOffset _:
                case Guid _:
                case TimeSpan _:
                case Enum _:
                    return value;
                case FileSystemInfo file:
                    return file.FullName;
                case Uri uri:
                    return uri.ToString();
                case ScriptBlock block:
                    return block.ToString();
            }

            if (value.GetType().IsPrimitive || value is decimal)
            {
                return value;
            }

            if (depth >= MaxDepth)
            {
                return value.ToString();
            }

            if (value is IDictionary dictionary)
            {
                var map = new List<KeyValuePair<string, object?>>();
                foreach (DictionaryEntry entry in dictionary)
                {
                    map.Add(new KeyValuePair<string, object?>(Convert.ToString(entry.Key, System.Globalization.CultureInfo.InvariantCulture) ?? "", ToTree(entry.Value, depth + 1)));
                }

                return map;
            }

            if (value is IEnumerable sequence)
            {
                var list = new List<object?>();
                foreach (object? element in sequence)
                {
                    list.Add(ToTree(element, depth + 1));
                }

                return list;
            }

            return Properties(PSObject.AsPSObject(value), depth);
        }

        private static List<KeyValuePair<string, object?>> Properties(PSObject obj, int depth)
        {
            var map = new List<KeyValuePair<string, object?>>();
            foreach (PSPropertyInfo property in obj.Properties)
            {
                if (!property.IsGettable)
                {
                    continue;
                }

                object? propertyValue;
                try
                {
                    propertyValue = property.Value;
                }
                catch (Exception e) when (e is GetValueException || e is ExtendedTypeSystemException || e is InvalidOperationException)
                {
                    continue; // a property whose getter throws is left out, as ConvertTo-Json does
                }

                map.Add(new KeyValuePair<string, object?>(property.Name, ToTree(propertyValue, depth + 1)));
            }

            return map;
        }

        /// <summary>A stored payload as a PowerShell value: text, a number, an array, or a PSCustomObject.</summary>
        public static object? FromPayload(string? payload) => FromTree(PayloadJson.Read(payload));

        private static object? FromTree(object? tree)
        {
            switch (tree)
            {
                case List<KeyValuePair<string, object?>> map:
                    var obj = new PSObject();
                    foreach (KeyValuePair<string, object?> pair in map)
                    {
                        obj.Properties.Add(new PSNoteProperty(pair.Key, FromTree(pair.Value)));
                    }

                    return obj;
                case List<object?> list:
                    return list.Select(FromTree).ToArray();
                default:
                    return tree;
            }
        }

        /// <summary>A script block's output as an item's result: text as text, objects as JSON.</summary>
        public static string? ResultText(ICollection<PSObject> output)
        {
            List<PSObject> items = output.Where(o => o != null).ToList();
            if (items.Count == 0)
            {
                return null;
            }

            if (items.All(o => o.BaseObject is string))
            {
                return string.Join("\n", items.Select(o => (string)o.BaseObject));
            }

            return items.Count == 1 ? PayloadJson.Write(ToTree(items[0])) : PayloadJson.Write(items.Select(o => ToTree(o)).ToList());
        }
    }
}
