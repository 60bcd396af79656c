using System;
using Microsoft.Data.Sqlite;

namespace BatchOps.Engine.Storage
{
    /// <summary>Writes on a disk that fills up, and how a run's last write leaves the store: holding no item.</summary>
    public sealed partial class SqliteJobStore
    {
        private const int SqliteFull = 13;

        /// <summary>Below this much free space the write-ahead log is folded in after every write.</summary>
        private const long LowSpace = 16L * 1024 * 1024;

        private bool _spaceMeasured;
        private int _spaceMeasuredAt;
        private bool _lowOnSpace;

        /// <summary>
        /// A run that ends holds no item. Its items are normally released one by one as its workers stop; after a
        /// failure that lost outcomes on the way (a full disk rolled back the commit that carried them) some are
        /// still marked running under its lease. They go back to the queue here, in the final checkpoint's
        /// transaction. The attempt stays counted, as for a run that crashed.
        /// </summary>
        private void ReleaseHeld(long jobId, long runId, long now)
        {
            long returned = Execute(
                "UPDATE items SET status = 0, started_ms = NULL, lease_token = NULL, lease_expires_ms = NULL WHERE job_id = @job AND status = 1 AND lease_run = @run",
                ("@job", jobId),
                ("@run", runId));
            if (returned == 0)
            {
                return;
            }

            Execute("UPDATE jobs SET pending = pending + @n, running = running - @n, updated_ms = @now WHERE id = @job", ("@n", returned), ("@now", now), ("@job", jobId));
            Execute("UPDATE runs SET released = released + @n WHERE id = @run", ("@n", returned), ("@run", runId));
        }

        /// <summary>
        /// One write transaction, made to get through a full disk where it can. On SQLITE_FULL the write is tried
        /// again after making room: for a run's final checkpoint (<paramref name="final"/>) first with the space of the
        /// store's reserve (<see cref="StoreReserve"/>); then once the write-ahead log has been folded into the store
        /// and emptied (it holds every version of a page written since the last checkpoint, so that can free more
        /// than the store grows). When nothing makes room, the disk-full error stands. After a write, on a disk with
        /// little room left, the log is folded in at once rather than at its usual 4 MB, so that it cannot eat the
        /// last megabytes.
        /// </summary>
        private T WriteMakingRoom<T>(bool final, Func<T> body)
        {
            int tried = final ? 0 : 1;
            while (true)
            {
                try
                {
                    T result = WriteOnce(body);
                    FoldLogWhenLowOnSpace();
                    return result;
                }
                catch (SqliteException e) when (e.SqliteErrorCode == SqliteFull && MakeRoom(ref tried))
                {
                    // room was made: the whole transaction again, from the start
                }
            }
        }

        private bool MakeRoom(ref int tried)
        {
            if (tried == 0)
            {
                tried = 1;
                if (StoreReserve.Release(Location))
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

        private void FoldLogWhenLowOnSpace()
        {
            int now = Environment.TickCount;
            if (!_spaceMeasured || unchecked(now - _spaceMeasuredAt) >= 1000)
            {
                // Free space is looked at once a second at most.
                _lowOnSpace = DiskSpace.Measure(Location) is (long free, _) && free < LowSpace;
                _spaceMeasured = true;
                _spaceMeasuredAt = now;
            }

            if (!_lowOnSpace)
            {
                return;
            }

            try
            {
                Execute("PRAGMA wal_checkpoint(PASSIVE)");
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
                using SqliteCommand cmd = Command("PRAGMA wal_checkpoint(TRUNCATE)");
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
