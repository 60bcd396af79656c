using System;
using System.Collections.Generic;
using BatchOps.Engine.Health;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// A store made of its parts: every operation of <see cref="IJobStore"/> is its catalog's, its run ledger's, its
    /// statistics' or its import's. A backend (<see cref="SqliteJobStore"/>, <see cref="Postgres.PostgresJobStore"/>)
    /// makes the parts over its one connection and adds what is its own: where it is, its clock, how it closes.
    /// </summary>
    public abstract class ComposedJobStore : IJobStore
    {
        private readonly IJobCatalog _catalog;
        private readonly IRunLedger _ledger;
        private readonly IJobStatistics _statistics;
        private readonly IJobImport _import;

        private protected ComposedJobStore(IJobCatalog catalog, IRunLedger ledger, IJobStatistics statistics, IJobImport import)
        {
            _catalog = catalog;
            _ledger = ledger;
            _statistics = statistics;
            _import = import;
        }

        /// <inheritdoc/>
        public abstract string Location { get; }

        /// <inheritdoc/>
        public abstract long NowMs();

        /// <summary>Closes the store's connection.</summary>
        public abstract void Dispose();

        // ---- the job catalog -------------------------------------------------------------------------------------

        public BatchJob? FindJob(string name) => _catalog.FindJob(name);

        public BatchJob GetJob(string name) => _catalog.GetJob(name);

        public BatchJob GetOrCreateJob(string name) => _catalog.GetOrCreateJob(name);

        public IReadOnlyList<BatchJob> GetJobs() => _catalog.GetJobs();

        public EnqueueResult Enqueue(BatchJob job, IReadOnlyList<NewItem> items) => _catalog.Enqueue(job, items);

        public bool RemoveJob(BatchJob job) => _catalog.RemoveJob(job);

        public long ClearJob(BatchJob job) => _catalog.ClearJob(job);

        public ResetResult ResetItems(BatchJob job, IReadOnlyList<string> keys) => _catalog.ResetItems(job, keys);

        public long ResetItems(BatchJob job, ItemStatus status) => _catalog.ResetItems(job, status);

        public IReadOnlyList<BatchItem> GetItems(BatchJob job, ItemQuery query) => _catalog.GetItems(job, query);

        public IReadOnlyList<FinishedBatch> GetFinishedBatches(BatchJob job, long? runId, long? batch, ItemStatus? status = null) =>
            _catalog.GetFinishedBatches(job, runId, batch, status);

        public long ReturnFinishedToPending(BatchJob job, long afterMs, long beforeMs) => _catalog.ReturnFinishedToPending(job, afterMs, beforeMs);

        // ---- the run ledger --------------------------------------------------------------------------------------

        public BatchCheckpoint? GetCheckpoint(BatchJob job) => _ledger.GetCheckpoint(job);

        public IReadOnlyList<RunRecord> GetActiveRuns(long jobId) => _ledger.GetActiveRuns(jobId);

        public long AbandonRuns(long jobId, IReadOnlyList<long> runIds, string message) => _ledger.AbandonRuns(jobId, runIds, message);

        public long StartRun(long jobId, RunStart start) => _ledger.StartRun(jobId, start);

        public ClaimResult Claim(long jobId, long runId, int count, long leaseExpiresMs, int maxAttempts, bool includeExpired = true, IReadOnlyCollection<string>? onlyKeys = null) =>
            _ledger.Claim(jobId, runId, count, leaseExpiresMs, maxAttempts, includeExpired, onlyKeys);

        public CommitResult Commit(RunCommit commit) => _ledger.Commit(commit);

        public bool RenewLeases(long jobId, long runId, long leaseExpiresMs) => _ledger.RenewLeases(jobId, runId, leaseExpiresMs);

        public bool RequestStop(long runId) => _ledger.RequestStop(runId);

        public bool RequestSuspend(long runId, bool suspend) => _ledger.RequestSuspend(runId, suspend);

        public RunSignals ReadSignals(long runId) => _ledger.ReadSignals(runId);

        public void SetRunActivity(long runId, RunActivity activity, string? reason) => _ledger.SetRunActivity(runId, activity, reason);

        public void RecordRunBackup(long runId, string backupName) => _ledger.RecordRunBackup(runId, backupName);

        // ---- job statistics --------------------------------------------------------------------------------------

        public IReadOnlyList<ErrorEntry> GetErrors(BatchJob job, int last) => _statistics.GetErrors(job, last);

        public JobActivity GetRecentActivity(BatchJob job, long sinceMs, int minItems) => _statistics.GetRecentActivity(job, sinceMs, minItems);

        public IReadOnlyList<BatchRun> GetRuns(BatchJob job, RunQuery query) => _statistics.GetRuns(job, query);

        public IReadOnlyList<long> RemoveRuns(BatchJob job, IReadOnlyList<long> runIds) => _statistics.RemoveRuns(job, runIds);

        public VectorStoreReading? GetVectorStoreBaseline(BatchJob job, IReadOnlyList<string> paths) => _statistics.GetVectorStoreBaseline(job, paths);

        public void KeepVectorStoreBaseline(BatchJob job, VectorStoreReading reading) => _statistics.KeepVectorStoreBaseline(job, reading);

        public void ForgetVectorStoreBaselines(BatchJob job) => _statistics.ForgetVectorStoreBaselines(job);

        public long ImportItems(BatchJob job, IReadOnlyList<ItemState> items, IReadOnlyList<ErrorEntry> lines) => _import.ImportItems(job, items, lines);
    }
}
