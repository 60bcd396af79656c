using System;
using System.Runtime.InteropServices;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Storage
{
    /// <summary>Sets Unix permission bits (netstandard2.0 has no File.SetUnixFileMode).</summary>
    internal static class UnixPermissions
    {
        public const int OwnerReadWrite = 0x180; // 0600

        [DllImport("libc", EntryPoint = "chmod", SetLastError = true)]
        private static extern int Chmod(string path, int mode);

        /// <summary>Gives the file mode 0600 on Linux and macOS; does nothing on Windows.</summary>
        public static void RestrictToOwner(string path)
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                return;
            }

            if (Chmod(path, OwnerReadWrite) != 0)
            {
                throw new BatchOpsException(
                    ErrorIds.StoreError,
                    BatchOpsErrorCategory.PermissionDenied,
                    $"Could not set the permissions of the store '{path}' to 0600 (errno {Marshal.GetLastWin32Error()}). Check that you own the file.",
                    path);
            }
        }
    }
}
