using System;
using System.IO;
using System.Text;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Storage
{
    /// <summary>What a store path points at, judged from the file alone, before SQLite touches it.</summary>
    internal enum StoreFileKind
    {
        Missing,
        Empty,
        Sqlite,
        NotSqlite,
    }

    /// <summary>
    /// Checks on the store file that must happen before SQLite opens it, so that a file that is not ours is never
    /// modified: the folder exists, the file is a SQLite database, and it can be written.
    /// </summary>
    internal static class StoreFile
    {
        private static readonly byte[] SqliteHeader = Encoding.ASCII.GetBytes("SQLite format 3\0");

        public static void RequireFolder(string path)
        {
            string? folder = Path.GetDirectoryName(path);
            if (string.IsNullOrEmpty(folder) || !Directory.Exists(folder))
            {
                throw new BatchOpsException(
                    ErrorIds.StoreFolderNotFound,
                    BatchOpsErrorCategory.ObjectNotFound,
                    $"The folder '{folder}' for the store '{path}' does not exist, and a store is only created in an existing folder. Nothing was created.",
                    path);
            }
        }

        public static StoreFileKind Inspect(string path)
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                if (Directory.Exists(path))
                {
                    throw new BatchOpsException(
                        ErrorIds.StorePathInvalid,
                        BatchOpsErrorCategory.InvalidArgument,
                        $"The store path '{path}' is a folder; a store is a file, for example '{Path.Combine(path, "batchops.db")}'.",
                        path);
                }

                return StoreFileKind.Missing;
            }

            if (info.Length == 0)
            {
                return StoreFileKind.Empty;
            }

            var header = new byte[SqliteHeader.Length];
            int read;
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            {
                read = ReadFully(stream, header);
            }

            if (read < header.Length)
            {
                return StoreFileKind.NotSqlite;
            }

            for (int i = 0; i < header.Length; i++)
            {
                if (header[i] != SqliteHeader[i])
                {
                    return StoreFileKind.NotSqlite;
                }
            }

            return StoreFileKind.Sqlite;
        }

        /// <summary>
        /// Refuses a SQLite file cut short (a copy that stopped halfway, a truncated disk image): its header says how
        /// many pages it has, and the file is shorter. Only when the header's count is current (SQLite's
        /// version-valid-for number matches the change counter) and no write-ahead log beside it may hold the rest.
        /// </summary>
        public static void RequireWhole(string path)
        {
            var header = new byte[100];
            long length;
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            {
                length = stream.Length;
                if (ReadFully(stream, header) < header.Length)
                {
                    throw SqliteErrors.Damaged(path, $"it is {length} bytes long, shorter than a SQLite header");
                }
            }

            int pageSize = (header[16] << 8) | header[17];
            long pageBytes = pageSize == 1 ? 65536 : pageSize;
            uint changeCounter = BigEndian(header, 24);
            long pages = BigEndian(header, 28);
            bool countIsCurrent = changeCounter == BigEndian(header, 92);
            var wal = new FileInfo(path + "-wal");
            if (!countIsCurrent || pages == 0 || (wal.Exists && wal.Length > 0) || pages * pageBytes <= length)
            {
                return;
            }

            // Another opener may be creating the store right now: its first transaction writes the file through a
            // rollback journal (the store turns to WAL after it), and page 1 can be on disk before the pages it counts.
            // A journal beside the file, or a file whole by now, is a transaction under way, not damage.
            if (File.Exists(path + "-journal") || pages * pageBytes <= new FileInfo(path).Length)
            {
                return;
            }

            throw SqliteErrors.Damaged(path, $"it was cut short: {length:N0} bytes, where its header says {pages:N0} pages of {pageBytes:N0} bytes");
        }

        private static uint BigEndian(byte[] bytes, int offset) =>
            ((uint)bytes[offset] << 24) | ((uint)bytes[offset + 1] << 16) | ((uint)bytes[offset + 2] << 8) | bytes[offset + 3];

        /// <summary>Creates an empty store file that only its owner may read or write.</summary>
        public static void CreateEmpty(string path)
        {
            try
            {
                using (new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete))
                {
                }
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it a moment ago: fine, it is opened like any existing store.
                return;
            }
            catch (UnauthorizedAccessException e)
            {
                throw ReadOnly(path, e);
            }

            UnixPermissions.RestrictToOwner(path);
        }

        /// <summary>Refuses a store that this process may not write, with the reason, before anything is written.</summary>
        public static void RequireWritable(string path)
        {
            try
            {
                using (new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete))
                {
                }
            }
            catch (UnauthorizedAccessException e)
            {
                throw ReadOnly(path, e);
            }
            catch (IOException e) when (!(e is FileNotFoundException))
            {
                throw ReadOnly(path, e);
            }
        }

        /// <summary>
        /// Whether the store's folder takes new files (SQLite puts its '-wal' and '-shm' files there); asked only after
        /// SQLite failed to open a store, to say why.
        /// </summary>
        public static bool FolderTakesFiles(string path)
        {
            string probe = Path.Combine(Path.GetDirectoryName(path) ?? ".", ".batchops-probe-" + Guid.NewGuid().ToString("N"));
            try
            {
                using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
                {
                }

                return true;
            }
            catch (IOException e) when (DiskSpace.IsFull(e))
            {
                return true; // writable, only full
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return false;
            }
        }

        public static BatchOpsException ReadOnlyFolder(string path, Exception? inner = null) =>
            new BatchOpsException(
                ErrorIds.StoreReadOnly,
                BatchOpsErrorCategory.PermissionDenied,
                $"The store '{path}' cannot be used: its folder '{Path.GetDirectoryName(path)}' is read-only, and SQLite must create its '-wal' and '-shm' files beside the store. Nothing was written.",
                path,
                inner);

        public static BatchOpsException ReadOnly(string path, Exception? inner = null) =>
            new BatchOpsException(
                ErrorIds.StoreReadOnly,
                BatchOpsErrorCategory.PermissionDenied,
                $"The store '{path}' cannot be written (it is read-only, or you lack permission on it or its folder); nothing was written.",
                path,
                inner);

        public static BatchOpsException NotSqlite(string path) =>
            new BatchOpsException(
                ErrorIds.StoreNotSqlite,
                BatchOpsErrorCategory.InvalidData,
                $"'{path}' is not a BatchOps store: it is not a SQLite database. It was left untouched.",
                path);

        /// <summary>Reads until the buffer is full or the stream ends; returns how many bytes were read.</summary>
        internal static int ReadFully(Stream stream, byte[] buffer)
        {
            int total = 0;
            while (total < buffer.Length)
            {
                int n = stream.Read(buffer, total, buffer.Length - total);
                if (n == 0)
                {
                    break;
                }

                total += n;
            }

            return total;
        }
    }
}
