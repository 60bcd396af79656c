using System.Collections;
using System.Management.Automation;

namespace BatchOps.Infrastructure
{
    /// <summary>
    /// The one rule for PowerShell's wrapper: a PSObject stands for its BaseObject, except a PSCustomObject, whose
    /// properties live in the wrapper, so it is kept whole. The engine never sees a PSObject.
    /// </summary>
    internal static class PSValue
    {
        public static object? Unwrap(object? value) =>
            value is PSObject wrapped && !(wrapped.BaseObject is PSCustomObject) ? wrapped.BaseObject : value;

        /// <summary>A copy of a hashtable with its values unwrapped (keys as given), or null for null.</summary>
        public static IDictionary? UnwrapValues(IDictionary? values)
        {
            if (values == null)
            {
                return null;
            }

            var plain = new Hashtable(values.Count);
            foreach (DictionaryEntry entry in values)
            {
                plain[Unwrap(entry.Key)!] = Unwrap(entry.Value);
            }

            return plain;
        }
    }
}
