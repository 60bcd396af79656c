using System.Collections.Generic;
using System.IO;
using System.Management.Automation;

namespace BatchOps.Infrastructure
{
    /// <summary>
    /// The one rule for -Key of Get-BatchItem and Reset-BatchItem: a key is a PowerShell wildcard pattern, and a
    /// relative path to an existing file or folder stands for its full path, which is how files are keyed.
    /// </summary>
    internal static class ItemKeyArguments
    {
        public static List<string> Patterns(PSCmdlet cmdlet, IEnumerable<string> keys)
        {
            var patterns = new List<string>();
            foreach (string key in keys)
            {
                patterns.Add(FullPathOf(cmdlet, key) is string path ? WildcardPattern.Escape(path) : key);
            }

            return patterns;
        }

        /// <summary>The full path of a relative path that names an existing file system item, else null.</summary>
        private static string? FullPathOf(PSCmdlet cmdlet, string key)
        {
            if (string.IsNullOrEmpty(key) || Path.IsPathRooted(key) || WildcardPattern.ContainsWildcardCharacters(key))
            {
                return null;
            }

            try
            {
                string path = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(key, out ProviderInfo provider, out _);
                return provider.ImplementingType == typeof(Microsoft.PowerShell.Commands.FileSystemProvider) && (File.Exists(path) || Directory.Exists(path)) ? path : null;
            }
            catch (System.Exception e) when (e is System.Management.Automation.DriveNotFoundException || e is ProviderNotFoundException || e is System.ArgumentException || e is System.NotSupportedException || e is ItemNotFoundException)
            {
                return null; // not a path: an ordinary key
            }
        }
    }
}
