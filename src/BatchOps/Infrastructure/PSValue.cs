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
    }
}
