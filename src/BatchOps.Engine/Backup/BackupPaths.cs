using System;
using System.IO;
using System.Text.RegularExpressions;

namespace BatchOps.Engine.Backup
{
    /// <summary>The rules for names and paths inside backup sets.</summary>
    internal static class BackupPaths
    {
        /// <summary>Marks a set being written; Get-VectorStoreBackup never lists such a folder.</summary>
        public const string PartialSuffix = ".partial";

        private static readonly Regex StoreName = new Regex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$", RegexOptions.CultureInvariant);

        public static bool IsValidStoreName(string name) => StoreName.IsMatch(name);

        /// <summary>
        /// True for a relative path with '/' separators that stays inside the folder it is relative to: not empty, not
        /// rooted, no '..' or '.' or empty segment, no backslash, no ':' (drives, NTFS streams), no control character.
        /// </summary>
        public static bool IsSafeRelativePath(string path)
        {
            if (string.IsNullOrEmpty(path) || path.IndexOf('\\') >= 0 || path.IndexOf(':') >= 0 || path.StartsWith("/", StringComparison.Ordinal))
            {
                return false;
            }

            foreach (char c in path)
            {
                if (c < ' ')
                {
                    return false;
                }
            }

            foreach (string segment in path.Split('/'))
            {
                if (segment.Length == 0 || segment == "." || segment == "..")
                {
                    return false;
                }
            }

            return !Path.IsPathRooted(path);
        }

        /// <summary>The platform path of a manifest path below <paramref name="root"/>; checked by IsSafeRelativePath first.</summary>
        public static string Combine(string root, string relativePath) =>
            Path.Combine(root, relativePath.Replace('/', Path.DirectorySeparatorChar));

        /// <summary>A link (symlink, junction) that could point outside the folder being read or written.</summary>
        public static bool IsLink(FileSystemInfo info) => (info.Attributes & FileAttributes.ReparsePoint) != 0;
    }
}
