using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Input
{
    /// <summary>
    /// How an input object becomes an item key. Strings are their own key, files and folders their full path,
    /// numbers their invariant text; other objects use -Key, else their Id, Key or Name property.
    /// </summary>
    public static class ItemKeys
    {
        public const int MaxLength = 4_096;

        /// <summary>Properties tried, in order, when -Key is not given.</summary>
        public static readonly IReadOnlyList<string> ConventionalProperties = new[] { "Id", "Key", "Name" };

        /// <summary>The key for an input object, or an error that says how to give one.</summary>
        public static string Resolve(IInputObject input, string? keyProperty)
        {
            if (keyProperty != null)
            {
                if (!input.TryGetProperty(keyProperty, out object? value))
                {
                    string has = input.PropertyNames.Count == 0 ? "no properties" : "the properties " + string.Join(", ", input.PropertyNames.Take(12));
                    throw new BatchOpsException(
                        ErrorIds.KeyPropertyNotFound,
                        BatchOpsErrorCategory.InvalidArgument,
                        $"The input object ({input.TypeName}) has no property '{keyProperty}' to use as its key; it has {has}.",
                        input.BaseObject);
                }

                return FromValue(value, input);
            }

            switch (input.BaseObject)
            {
                case string text:
                    return Validate(text, input.BaseObject);
                case FileSystemInfo file:
                    return Validate(file.FullName, input.BaseObject);
                case null:
                    throw Empty(null, input.BaseObject);
            }

            if (IsScalar(input.BaseObject))
            {
                return FromValue(input.BaseObject, input);
            }

            foreach (string property in ConventionalProperties)
            {
                if (input.TryGetProperty(property, out object? value) && value != null)
                {
                    return FromValue(value, input);
                }
            }

            throw new BatchOpsException(
                ErrorIds.KeyNotInferable,
                BatchOpsErrorCategory.InvalidArgument,
                $"Cannot tell the key of an input object of type {input.TypeName}: it is not a string or a file, and has no Id, Key or Name property (its properties: {Properties(input)}).",
                input.BaseObject);
        }

        /// <summary>Turns a key value (from a property or a -Key script block) into key text.</summary>
        public static string FromValue(object? value, IInputObject? input = null)
        {
            string? text = value switch
            {
                null => null,
                string s => s,
                FileSystemInfo f => f.FullName,
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => value.ToString(),
            };
            return Validate(text, input?.BaseObject ?? value);
        }

        /// <summary>Refuses a null, empty or over-long key.</summary>
        public static string Validate(string? key, object? target = null)
        {
            if (string.IsNullOrWhiteSpace(key))
            {
                throw Empty(key, target);
            }

            if (key!.Length > MaxLength)
            {
                throw new BatchOpsException(
                    ErrorIds.KeyTooLong,
                    BatchOpsErrorCategory.InvalidArgument,
                    $"The item key '{Printable.Text(key)}' is {key.Length:N0} characters long; the limit is {MaxLength:N0}.",
                    target);
            }

            if (Printable.FirstControl(key) is string control)
            {
                throw new BatchOpsException(
                    ErrorIds.KeyInvalid,
                    BatchOpsErrorCategory.InvalidArgument,
                    $"The item key '{Printable.Text(key)}' contains {control}; keys are shown in tables and written to logs, so they may not hold control characters.",
                    target);
            }

            return key;
        }

        private static BatchOpsException Empty(string? key, object? target) =>
            new BatchOpsException(
                ErrorIds.KeyEmpty,
                BatchOpsErrorCategory.InvalidArgument,
                $"An input item has an empty key ('{Printable.Text(key)}': null, empty or blank). Every item needs a key that identifies it.",
                target);

        private static string Properties(IInputObject input) =>
            input.PropertyNames.Count == 0 ? "none" : Printable.Text(string.Join(", ", input.PropertyNames));

        private static bool IsScalar(object value) =>
            value is IConvertible || value is Guid || value is DateTimeOffset || value is TimeSpan || value is Uri;
    }
}
