using System;
using System.Collections.Generic;
using System.Linq;
using BatchOps.Engine.Health;

namespace BatchOps.Engine.Storage
{
    /// <summary>The lasting vector-store baseline of a job: the best reading a health check of the job has seen.</summary>
    public sealed partial class SqliteJobStore
    {
        // One key per set of watched paths, whatever order they were given in.
        private static string BaselineKey(IEnumerable<string> paths) =>
            string.Join("\n", paths.Select(DataLossRecovery.Normalize).OrderBy(p => p, StringComparer.Ordinal));

        /// <summary>The reading kept for these paths of the job, or null when no check has kept one.</summary>
        public VectorStoreReading? GetVectorStoreBaseline(BatchJob job, IReadOnlyList<string> paths) => Guarded(() =>
        {
            using var cmd = Command("SELECT bytes, files, items FROM vector_baselines WHERE job_id = @job AND paths = @paths", ("@job", job.Id), ("@paths", BaselineKey(paths)));
            using var reader = cmd.ExecuteReader();
            return reader.Read()
                ? new VectorStoreReading(paths, reader.GetInt64(0), reader.GetInt64(1), reader.IsDBNull(2) ? (long?)null : reader.GetInt64(2), missing: false)
                : null;
        });

        /// <summary>Keeps a reading as the job's baseline for its paths (the caller decides it is the best so far).</summary>
        public void KeepVectorStoreBaseline(BatchJob job, VectorStoreReading reading)
        {
            RequireWritable();
            Guarded(() => WriteTransaction(() => Execute(
                "INSERT INTO vector_baselines (job_id, paths, bytes, files, items, seen_ms) VALUES (@job, @paths, @bytes, @files, @items, @now) " +
                "ON CONFLICT(job_id, paths) DO UPDATE SET bytes = excluded.bytes, files = excluded.files, items = excluded.items, seen_ms = excluded.seen_ms",
                ("@job", job.Id), ("@paths", BaselineKey(reading.Paths)), ("@bytes", reading.Bytes), ("@files", reading.Files), ("@items", (object?)reading.Items ?? DBNull.Value), ("@now", NowMs()))));
        }

        /// <summary>Forgets the job's baselines: after a restore or a clear, the store's next reading is the reference.</summary>
        public void ForgetVectorStoreBaselines(BatchJob job)
        {
            RequireWritable();
            Guarded(() => WriteTransaction(() => Execute("DELETE FROM vector_baselines WHERE job_id = @job", ("@job", job.Id))));
        }
    }
}
