using System;
using Microsoft.Data.Sqlite;

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

        public static BatchOpsException Translate(SqliteException e, string path)
        {
            switch (e.SqliteErrorCode)
            {
                case Busy:
                case Locked:
                    return new BatchOpsException(
                        ErrorIds.StoreBusy,
                        BatchOpsErrorCategory.ResourceBusy,
                        $"The store '{path}' stayed locked by another process for longer than the busy timeout. Another BatchOps command may be doing a long write (a large Remove-BatchJob, say); try again when it ends.",
                        path,
                        e);
                case ReadOnly:
                    return StoreFile.ReadOnly(path, e);
                case NotADb:
                    return StoreFile.NotSqlite(path);
                case Corrupt:
                    return new BatchOpsException(
                        ErrorIds.StoreError,
                        BatchOpsErrorCategory.InvalidData,
                        $"The store '{path}' is damaged ({e.Message}). Copy it aside, then try 'sqlite3 {path} .recover' or start a new store.",
                        path,
                        e);
                case Full:
                    return new BatchOpsException(
                        ErrorIds.StoreError,
                        BatchOpsErrorCategory.WriteError,
                        $"The disk that holds the store '{path}' is full. Free some space; nothing was lost, and the run can be resumed.",
                        path,
                        e);
                case CantOpen:
                case IoErr:
                    return new BatchOpsException(
                        ErrorIds.StoreError,
                        BatchOpsErrorCategory.ResourceUnavailable,
                        $"The store '{path}' could not be opened or read ({e.Message}). Check that the file and its folder exist and that you may write both (SQLite creates '-wal' and '-shm' files beside it).",
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
    }
}
