using System;
using System.IO;
using System.Runtime.InteropServices;

namespace BatchOps.Engine.Platform
{
    /// <summary>How paths are compared on this platform: full, without a trailing separator, case-sensitive on Linux only.</summary>
    public static class FilePaths
    {
        public static string Normalize(string path) => Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);

        public static StringComparer Comparer =>
            RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase;
    }
}
