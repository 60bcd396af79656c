using System.Collections.Generic;
using BatchOps.Engine.Health;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// What a store tells about a job's past: its error log, recent activity for health checks, its run history, and
    /// the most its watched vector store held.
    /// </summary>
    public interface IJobStatistics
    {
        /// <summary>The job's latest error log lines, newest first.</summary>
        IReadOnlyList<ErrorEntry> GetErrors(BatchJob job, int last);

        /// <summary>Outcomes of the job's latest finished batches and its recent error log, for health checks.</summary>
        JobActivity GetRecentActivity(BatchJob job, long sinceMs, int minItems);

        /// <summary>The job's runs, newest first (its run history).</summary>
        IReadOnlyList<BatchRun> GetRuns(BatchJob job, RunQuery query);

        /// <summary>Deletes the records of ended runs (batches and error lines too), never items; returns the ids deleted.</summary>
        IReadOnlyList<long> RemoveRuns(BatchJob job, IReadOnlyList<long> runIds);

        /// <summary>The reading kept for these paths of the job, or null when no check has kept one.</summary>
        VectorStoreReading? GetVectorStoreBaseline(BatchJob job, IReadOnlyList<string> paths);

        /// <summary>Keeps a reading as the job's baseline for its paths (the caller decides it is the best so far).</summary>
        void KeepVectorStoreBaseline(BatchJob job, VectorStoreReading reading);

        /// <summary>Forgets the job's baselines: after a restore or a clear, the store's next reading is the reference.</summary>
        void ForgetVectorStoreBaselines(BatchJob job);
    }
}
