using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// A store path that is a symbolic link. BatchOps follows it, as SQLite does (its '-wal' and '-shm' files go
    /// beside the real file), and from then on names the real file: the store's Location, the Store property of
    /// what commands return, and every message say where the data really is. A link that leads nowhere (its target
    /// is missing, or links loop) is refused: BatchOps never creates a store through a link.
    /// </summary>
    internal static class StoreLink
    {
        /// <summary>The real path of a store given as a symbolic link; the path itself otherwise.</summary>
        public static string Resolve(string fullPath)
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows) || !IsLink(fullPath))
            {
                return fullPath; // on Windows SQLite and .NET follow links by themselves
            }

            IntPtr resolved = realpath(fullPath, IntPtr.Zero);
            if (resolved == IntPtr.Zero)
            {
                string target = ReadLink(fullPath) ?? "?";
                throw new BatchOpsException(
                    ErrorIds.StoreLink,
                    BatchOpsErrorCategory.InvalidArgument,
                    $"The store path '{fullPath}' is a symbolic link to '{target}', which does not lead to a file (the target is missing, or links loop). Nothing was created.",
                    fullPath);
            }

            try
            {
                return Marshal.PtrToStringAnsi(resolved) ?? fullPath;
            }
            finally
            {
                free(resolved);
            }
        }

        private static bool IsLink(string path)
        {
            try
            {
                return (File.GetAttributes(path) & FileAttributes.ReparsePoint) != 0;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return false; // missing: an ordinary new store
            }
        }

        private static string? ReadLink(string path)
        {
            var buffer = new byte[4096];
            long n = readlink(path, buffer, (IntPtr)buffer.Length).ToInt64();
            return n > 0 ? Encoding.UTF8.GetString(buffer, 0, (int)n) : null;
        }

        [DllImport("libc", SetLastError = true)]
        private static extern IntPtr realpath(string path, IntPtr resolved);

        [DllImport("libc", SetLastError = true)]
        private static extern IntPtr readlink(string path, byte[] buffer, IntPtr size);

        [DllImport("libc")]
        private static extern void free(IntPtr pointer);
    }
}
