using System;
using Microsoft.Data.Sqlite;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// Room for writes on a disk that fills up. On SQLITE_FULL a write is tried again after making room: for a run's
    /// final checkpoint first with the space of the store's reserve (<see cref="StoreReserve"/>); then once the
    /// write-ahead log has been folded into the store and emptied (it holds every version of a page written since the
    /// last checkpoint, so that can free more than the store grows). After a write, on a disk with little room left,
    /// the log is folded in at once rather than at its usual 4 MB, so that it cannot eat the last megabytes.
    /// </summary>
    internal sealed class SqliteRoom
    {
        public const int SqliteFull = 13;

        /// <summary>Below this much free space the write-ahead log is folded in after every write.</summary>
        private const long LowSpace = 16L * 1024 * 1024;

        private readonly SqliteSession _session;
        private bool _spaceMeasured;
        private int _spaceMeasuredAt;
        private bool _lowOnSpace;

        public SqliteRoom(SqliteSession session) => _session = session;

        /// <summary>
        /// Makes room for another try: <paramref name="tried"/> 0 releases the reserve, 1 folds the log in; false when
        /// nothing is left to try.
        /// </summary>
        public bool MakeRoom(ref int tried)
        {
            if (tried == 0)
            {
                tried = 1;
                if (StoreReserve.Release(_session.Location))
                {
                    return true;
                }
            }

            if (tried == 1)
            {
                tried = 2;
                return FoldLog();
            }

            return false;
        }

        public void FoldLogWhenLowOnSpace()
        {
            int now = Environment.TickCount;
            if (!_spaceMeasured || unchecked(now - _spaceMeasuredAt) >= 1000)
            {
                // Free space is looked at once a second at most.
                _lowOnSpace = DiskSpace.Measure(_session.Location) is (long free, _) && free < LowSpace;
                _spaceMeasured = true;
                _spaceMeasuredAt = now;
            }

            if (!_lowOnSpace)
            {
                return;
            }

            try
            {
                _session.Execute("PRAGMA wal_checkpoint(PASSIVE)");
            }
            catch (SqliteException)
            {
                // not now: the next write tries again
            }
        }

        private bool FoldLog()
        {
            try
            {
                using SqliteCommand cmd = _session.Command("PRAGMA wal_checkpoint(TRUNCATE)");
                using SqliteDataReader reader = cmd.ExecuteReader();
                return reader.Read() && reader.GetInt64(0) == 0; // busy = 0: the log was folded in and emptied
            }
            catch (SqliteException)
            {
                return false; // no room for the store to take the log's pages either
            }
        }
    }
}
