using System;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace BatchOps.Engine.Errors
{
    /// <summary>
    /// A disk that filled up: recognises it (SQLite's SQLITE_FULL, ENOSPC on Unix, ERROR_DISK_FULL and
    /// ERROR_HANDLE_DISK_FULL on Windows) and says so with the free space seen at the path, under the ErrorId of what
    /// could not be written (the store, a run's log, a backup). One place for the rule, so every writer says it alike.
    /// </summary>
    public static class DiskSpace
    {
        private const int SqliteFull = 13;
        private const int UnixNoSpace = 28; // ENOSPC, which .NET puts in IOException.HResult on Unix
        private const int WindowsDiskFull = unchecked((int)0x80070070);
        private const int WindowsHandleDiskFull = unchecked((int)0x80070027);

        /// <summary>True for the ErrorIds of a disk that filled up.</summary>
        public static bool IsDiskFullId(string? errorId) =>
            errorId == ErrorIds.StoreDiskFull || errorId == ErrorIds.LogDiskFull || errorId == ErrorIds.BackupDiskFull;

        /// <summary>True when the exception, or one it wraps, says a disk is full.</summary>
        public static bool IsFull(Exception? e)
        {
            for (Exception? current = e; current != null; current = current.InnerException)
            {
                switch (current)
                {
                    case BatchOpsException known when IsDiskFullId(known.ErrorId):
                        return true;
                    case SqliteException sqlite when sqlite.SqliteErrorCode == SqliteFull:
                        return true;
                    case IOException io when IsNoSpace(io.HResult):
                        return true;
                }
            }

            return false;
        }

        /// <summary>
        /// The error for a write that failed for space. <paramref name="what"/> names the thing written ("the store",
        /// "the run's log", "the backup"); the message gives the path and the free space seen there now.
        /// </summary>
        public static BatchOpsException Full(string errorId, string what, string path, string consequence, Exception? inner)
        {
            if (inner is BatchOpsException known && known.ErrorId == errorId)
            {
                return known;
            }

            string free = FreeSpaceText(path);
            return new BatchOpsException(
                errorId,
                BatchOpsErrorCategory.WriteError,
                $"The disk that holds {what} '{path}' is full ({free}). {consequence}",
                path,
                inner);
        }

        /// <summary>"12.0 KB free of 2.0 MB", or "free space unknown" when the file system will not say.</summary>
        public static string FreeSpaceText(string path)
        {
            (long Free, long Total)? space = Measure(path);
            return space is (long free, long total)
                ? $"{Wording.Size(free)} free of {Wording.Size(total)}"
                : "free space unknown";
        }

        /// <summary>Free and total bytes of the file system that holds the path (a file or a folder), or null.</summary>
        public static (long Free, long Total)? Measure(string path)
        {
            try
            {
                string full = Path.GetFullPath(path);
                string folder = Directory.Exists(full) ? full : Path.GetDirectoryName(full) ?? full;
                while (!Directory.Exists(folder) && Path.GetDirectoryName(folder) is string parent && parent != folder)
                {
                    folder = parent;
                }

                // On Unix DriveInfo takes any folder (statvfs of its file system); on Windows it wants the root.
                string name = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? Path.GetPathRoot(folder) ?? folder : folder;
                var drive = new DriveInfo(name);
                return (drive.AvailableFreeSpace, drive.TotalSize);
            }
            catch (Exception e) when (e is IOException || e is ArgumentException || e is UnauthorizedAccessException || e is NotSupportedException)
            {
                return null;
            }
        }

        private static bool IsNoSpace(int hresult) =>
            hresult == WindowsDiskFull || hresult == WindowsHandleDiskFull || (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows) && hresult == UnixNoSpace);
    }
}
