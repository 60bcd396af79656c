using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using BatchOps.Engine;
using BatchOps.Engine.Errors;
using BatchOps.Engine.Input;

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

        /// <summary>
        /// An object as a plain tree, for a result: lenient, as ConvertTo-Json is (a property whose getter throws is
        /// left out; what lies deeper than <see cref="MaxDepth"/>, a cycle included, is kept as text).
        /// </summary>
        public static object? ToTree(object? value) => new Walk(strict: false).ToTree(value, 0, "");

        /// <summary>
        /// An input object as the tree of its payload: as <see cref="ToTree"/>, but data that cannot be stored
        /// faithfully is refused (PayloadNotSerializable) rather than quietly changed: an object that contains itself,
        /// and a script property that throws when read.
        /// </summary>
        public static object? ToPayloadTree(object? value) => new Walk(strict: true).ToTree(value, 0, "");

        private sealed class Walk
        {
            private readonly bool _strict;
            private readonly List<object> _ancestors = new List<object>();

            public Walk(bool strict) => _strict = strict;

            public object? ToTree(object? value, int depth, string path)
            {
                value = PSValue.Unwrap(value);
                if (value is PSObject custom)
                {
                    return depth >= MaxDepth ? custom.ToString() : Nested(custom, path, () => Properties(custom, depth, path));
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

                object container = value;
                if (value is IDictionary dictionary)
                {
                    return Nested(container, path, () =>
                    {
                        var map = new List<KeyValuePair<string, object?>>();
                        foreach (DictionaryEntry entry in dictionary)
                        {
                            string name = Convert.ToString(entry.Key, System.Globalization.CultureInfo.InvariantCulture) ?? "";
                            map.Add(new KeyValuePair<string, object?>(name, ToTree(entry.Value, depth + 1, Join(path, name))));
                        }

                        return map;
                    });
                }

                if (value is IEnumerable sequence)
                {
                    return Nested(container, path, () =>
                    {
                        var list = new List<object?>();
                        foreach (object? element in sequence)
                        {
                            list.Add(ToTree(element, depth + 1, path + "[" + list.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]"));
                        }

                        return list;
                    });
                }

                PSObject adapted = PSObject.AsPSObject(value);
                return Nested(container, path, () => Properties(adapted, depth, path));
            }

            /// <summary>Walks into a container, refusing (when strict) one that is already being walked: a cycle.</summary>
            private object? Nested(object container, string path, Func<object?> walk)
            {
                if (_strict && _ancestors.Any(a => ReferenceEquals(a, container)))
                {
                    throw NotSerializable($"its property '{path}' refers back to an object that contains it (a cycle), which JSON cannot hold");
                }

                _ancestors.Add(container);
                try
                {
                    return walk();
                }
                finally
                {
                    _ancestors.RemoveAt(_ancestors.Count - 1);
                }
            }

            private List<KeyValuePair<string, object?>> Properties(PSObject obj, int depth, string path)
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
                        if (_strict && property is PSScriptProperty)
                        {
                            // Your own script property failed: storing the item without it would lose data quietly.
                            throw NotSerializable($"its script property '{Join(path, property.Name)}' failed when read: {(e.InnerException ?? e).Message}");
                        }

                        continue; // a .NET property that does not apply now (a running process's ExitCode) is left out, as ConvertTo-Json does
                    }

                    map.Add(new KeyValuePair<string, object?>(property.Name, ToTree(propertyValue, depth + 1, Join(path, property.Name))));
                }

                return map;
            }

            private static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;

            private static BatchOpsException NotSerializable(string why) =>
                new BatchOpsException(
                    ErrorIds.PayloadNotSerializable,
                    BatchOpsErrorCategory.InvalidArgument,
                    $"An input object cannot be stored as an item's payload: {why}. Pipe only the data the processor needs (Select-Object Id, Path, ...).");
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
