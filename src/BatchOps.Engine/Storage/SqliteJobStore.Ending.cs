using System;
using System.Runtime.ExceptionServices;
using Microsoft.Data.Sqlite;

namespace BatchOps.Engine.Storage
{
    /// <summary>How a run's last write leaves the store: holding no item, even when the disk is full.</summary>
    public sealed partial class SqliteJobStore
    {
        private const int SqliteFull = 13;

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
        /// A write that must get through when it can (a run's final checkpoint): on a full disk it is tried again with the
        /// space of the store's reserve (<see cref="StoreReserve"/>), or else once the write-ahead log has been folded
        /// into the store and emptied, which gives its space back.
        /// </summary>
        private T WriteMakingRoom<T>(bool makeRoom, Func<T> body)
        {
            if (!makeRoom)
            {
                return WriteTransaction(body);
            }

            try
            {
                return WriteTransaction(body);
            }
            catch (SqliteException e) when (e.SqliteErrorCode == SqliteFull && StoreReserve.Release(Location))
            {
                return WriteTransaction(body); // the space kept for this
            }
            catch (SqliteException e) when (e.SqliteErrorCode == SqliteFull)
            {
                try
                {
                    Execute("PRAGMA wal_checkpoint(TRUNCATE)");
                }
                catch (SqliteException)
                {
                    // No room for that either: the disk-full error is the one to report.
                    ExceptionDispatchInfo.Capture(e).Throw();
                }

                return WriteTransaction(body);
            }
        }
    }
}
