using System;
using Microsoft.Data.Sqlite;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Storage
{
    /// <summary>Turns SQLite's result codes into errors that say what happened to the store and what to do.</summary>
    internal static class SqliteErrors
    {
        private const int Busy = 5;
        private const int Locked = 6;
        private const int ReadOnly = 8;
        private const int IoErr = 10;
        private const int Corrupt = 11;
        private const int Full = 13;
        private const int CantOpen = 14;
        private const int NotADb = 26;
        private const int IoErrShortRead = IoErr | (2 << 8);
        private const int IoErrShmSize = IoErr | (19 << 8); // the shared-memory file beside a WAL store could not grow

        public static BatchOpsException Translate(SqliteException e, string path, TimeSpan busyTimeout = default)
        {
            switch (e.SqliteErrorCode)
            {
                case Busy:
                case Locked:
                    return new BatchOpsException(
                        ErrorIds.StoreBusy,
                        BatchOpsErrorCategory.ResourceBusy,
                        $"The store '{path}' stayed locked by another process for longer than the busy timeout ({busyTimeout.TotalSeconds:0.#} s), and nothing was written. " +
                        "Another BatchOps command may be doing a long write (removing a large job, say), or another program holds a lock on it (sqlite3 in a transaction, a backup tool); try again when it ends.",
                        path,
                        e);
                case ReadOnly:
                    return StoreFile.ReadOnly(path, e);
                case NotADb:
                case Corrupt:
                    return Damaged(path, e);
                case IoErr when e.SqliteExtendedErrorCode == IoErrShortRead:
                    return Damaged(path, e);
                case Full:
                case IoErr when e.SqliteExtendedErrorCode == IoErrShmSize:
                    return DiskSpace.Full(
                        ErrorIds.StoreDiskFull,
                        "the store",
                        path,
                        "Nothing was half-written: SQLite rolls back a write it cannot finish, so the store stays consistent, and a run returns its items in flight to the queue. Free some space, then run the same command again to resume.",
                        e);
                case CantOpen:
                case IoErr:
                    return new BatchOpsException(
                        ErrorIds.StoreError,
                        BatchOpsErrorCategory.ResourceUnavailable,
                        $"The store '{path}' could not be opened or read ({e.Message.TrimEnd('.')}, extended code {e.SqliteExtendedErrorCode}). Check that the file and its folder exist and that you may write both (SQLite creates '-wal' and '-shm' files beside it).",
                        path,
                        e);
                default:
                    return new BatchOpsException(
                        ErrorIds.StoreError,
                        BatchOpsErrorCategory.WriteError,
                        $"The store '{path}' reported an error: {e.Message}",
                        path,
                        e);
            }
        }

        /// <summary>A store SQLite reads as damaged: a flipped or missing page, a file cut short.</summary>
        public static BatchOpsException Damaged(string path, Exception inner) => Damaged(path, inner.Message.TrimEnd('.'), inner);

        /// <summary>The same, with what is wrong in words of one's own.</summary>
        public static BatchOpsException Damaged(string path, string detail, Exception? inner = null) =>
            new BatchOpsException(
                ErrorIds.StoreDamaged,
                BatchOpsErrorCategory.InvalidData,
                $"The store '{path}' is damaged ({detail}); nothing was written to it. " +
                $"Copy it aside, then rebuild it with SQLite's recovery (sqlite3 '{path}' .recover | sqlite3 recovered.db) or restore it from a backup set of the store.",
                path,
                inner);
    }
}
