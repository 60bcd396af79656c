using System.Collections.Generic;

namespace BatchOps.Engine.Storage
{
    /// <summary>The batches that finished a job's items (per-batch result files), and returning items a restore lost.</summary>
    public sealed partial class SqliteJobStore
    {
        public IReadOnlyList<FinishedBatch> GetFinishedBatches(BatchJob job, long? runId, long? batch, ItemStatus? status = null) => Guarded(() =>
        {
            string statuses = status is ItemStatus only ? ((int)only).ToString(System.Globalization.CultureInfo.InvariantCulture) : "2, 3";
            var sql = new System.Text.StringBuilder(
                "SELECT DISTINCT lease_run, finished_batch FROM items WHERE job_id = @job AND finished_batch IS NOT NULL AND lease_run IS NOT NULL AND status IN (" + statuses + ")");
            var args = new List<(string, object?)> { ("@job", job.Id) };
            if (runId is long run)
            {
                sql.Append(" AND lease_run = @run");
                args.Add(("@run", run));
            }

            if (batch is long number)
            {
                sql.Append(" AND finished_batch = @batch");
                args.Add(("@batch", number));
            }

            sql.Append(" ORDER BY lease_run, finished_batch");
            var batches = new List<FinishedBatch>();
            using var cmd = Command(sql.ToString(), args.ToArray());
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                batches.Add(new FinishedBatch(reader.GetInt64(0), reader.GetInt64(1)));
            }

            return (IReadOnlyList<FinishedBatch>)batches;
        });

        public long ReturnFinishedToPending(BatchJob job, long afterMs, long beforeMs)
        {
            RequireWritable();
            return Guarded(() => WriteTransaction(() =>
            {
                long n = Execute(
                    ResetItemSql + " WHERE job_id = @job AND status = " + ((int)ItemStatus.Succeeded).ToString(System.Globalization.CultureInfo.InvariantCulture) +
                    " AND finished_ms > @after AND finished_ms < @before",
                    ("@job", job.Id),
                    ("@after", afterMs),
                    ("@before", beforeMs));
                AdjustCountersAfterReset(job.Id, n, 0);
                return n;
            }));
        }
    }

    /// <summary>A batch of a run that finished items (their outcome is kept with the batch number).</summary>
    public readonly struct FinishedBatch
    {
        public FinishedBatch(long run, long batch)
        {
            Run = run;
            Batch = batch;
        }

        public long Run { get; }

        public long Batch { get; }
    }
}
