using System.Collections.Generic;

namespace BatchOps.Engine.Input
{
    /// <summary>
    /// A pipeline input object as the engine sees it. The cmdlets adapt PowerShell's PSObject to this, so the rules
    /// for keys and payloads live here, where they are tested without PowerShell.
    /// </summary>
    public interface IInputObject
    {
        /// <summary>The object under any PowerShell wrapper (a string, a FileInfo, a PSCustomObject ...).</summary>
        object? BaseObject { get; }

        /// <summary>A type name for messages, such as System.IO.FileInfo or System.Management.Automation.PSCustomObject.</summary>
        string TypeName { get; }

        /// <summary>The object's property names, for messages that list what the input does have.</summary>
        IReadOnlyList<string> PropertyNames { get; }

        /// <summary>Looks up a property by name, case-insensitively, as PowerShell does.</summary>
        bool TryGetProperty(string name, out object? value);

        /// <summary>The object as a plain tree (dictionaries, lists, scalars) for its JSON payload.</summary>
        object? ToPayloadTree();
    }
}
