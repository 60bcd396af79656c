using System;
using System.Collections.Generic;
using System.Globalization;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// Putting items back to pending, the same on both backends: clearing a job, resetting items by key or by status,
    /// and returning successes a restored vector store lost. The job row's counters move in the same transaction as
    /// the items. Called inside the caller's write transaction.
    /// </summary>
    internal sealed class ItemResets
    {
        private readonly StoreSql _sql;
        private readonly string _lockRow;

        /// <param name="sql">The backend's session.</param>
        /// <param name="lockRow">
        /// What locks an item read before its reset until the transaction ends: " FOR UPDATE" on PostgreSQL, where
        /// other hosts claim at the same time; nothing on SQLite, whose write transaction holds the whole store.
        /// </param>
        public ItemResets(StoreSql sql, string lockRow)
        {
            _sql = sql;
            _lockRow = lockRow;
        }

        public long Clear(long jobId)
        {
            foreach (string statement in ItemSql.ClearRecords)
            {
                _sql.Execute(statement, ("job", jobId));
            }

            long reset = _sql.Execute(ItemSql.ClearItems, ("job", jobId));
            _sql.Execute(ItemSql.ClearCounters, ("job", jobId), ("now", _sql.NowMs()));
            return reset;
        }

        public ResetResult ByKeys(long jobId, IReadOnlyList<string> keys)
        {
            var result = new ResetResult();
            long fromSucceeded = 0, fromFailed = 0;
            foreach (string key in keys)
            {
                object? status = _sql.Scalar("SELECT status FROM items WHERE job_id = @job AND key = @key" + _lockRow, ("job", jobId), ("key", key));
                if (status == null)
                {
                    result.NotFound.Add(key);
                    continue;
                }

                var current = (ItemStatus)Convert.ToInt32(status, CultureInfo.InvariantCulture);
                if (current == ItemStatus.Running)
                {
                    result.InFlight.Add(key);
                    continue;
                }

                _sql.Execute(ItemSql.ResetItem + " WHERE job_id = @job AND key = @key", ("job", jobId), ("key", key));
                fromSucceeded += current == ItemStatus.Succeeded ? 1 : 0;
                fromFailed += current == ItemStatus.Failed ? 1 : 0;
                result.Reset.Add(key);
            }

            AdjustCounters(jobId, fromSucceeded, fromFailed);
            return result;
        }

        /// <summary>Resets every item with the status (not Running: the caller refuses that first, with <see cref="JobRows.RunningNotReset"/>).</summary>
        public long ByStatus(long jobId, ItemStatus status)
        {
            long n = _sql.Execute(ItemSql.ResetByStatus(status), ("job", jobId));
            AdjustCounters(jobId, status == ItemStatus.Succeeded ? n : 0, status == ItemStatus.Failed ? n : 0);
            return n;
        }

        public long SucceededBetween(long jobId, long afterMs, long beforeMs)
        {
            long n = _sql.Execute(ItemSql.ResetSucceededBetween, ("job", jobId), ("after", afterMs), ("before", beforeMs));
            AdjustCounters(jobId, n, 0);
            return n;
        }

        private void AdjustCounters(long jobId, long fromSucceeded, long fromFailed)
        {
            if (fromSucceeded + fromFailed == 0)
            {
                return;
            }

            _sql.Execute(
                ItemSql.CountersAfterReset,
                ("n", fromSucceeded + fromFailed),
                ("s", fromSucceeded),
                ("f", fromFailed),
                ("now", _sql.NowMs()),
                ("job", jobId));
        }
    }
}
