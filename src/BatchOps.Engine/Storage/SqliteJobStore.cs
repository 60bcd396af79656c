using System;
using System.Collections.Generic;
using BatchOps.Engine.Health;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// The embedded job store: one SQLite file in WAL mode. Every write is one BEGIN IMMEDIATE transaction, so writers
    /// from several processes queue on the busy timeout instead of failing with "database is locked"; readers never
    /// wait. One instance holds one connection (<see cref="SqliteSession"/>) and serialises its own callers; its parts
    /// share it: the file is opened, verified and upgraded by <see cref="SqliteStoreOpener"/>, jobs and items are the
    /// <see cref="SqliteJobCatalog"/>, runs, claims and commits the <see cref="SqliteRunLedger"/>, and errors,
    /// activity, history and baselines the <see cref="SqliteJobStatistics"/>. Commands open stores through
    /// <see cref="JobStoreFactory"/>.
    /// </summary>
    public sealed class SqliteJobStore : IJobStore
    {
        /// <summary>The store file used when neither -Store nor $env:BATCHOPS_STORE names one.</summary>
        public const string DefaultFileName = JobStoreFactory.DefaultFileName;

        private readonly SqliteSession _session;
        private readonly SqliteJobCatalog _catalog;
        private readonly SqliteRunLedger _ledger;
        private readonly SqliteJobStatistics _statistics;

        private SqliteJobStore(SqliteSession session)
        {
            _session = session;
            var errors = new SqliteErrorLog(session);
            _catalog = new SqliteJobCatalog(session);
            _ledger = new SqliteRunLedger(session, errors);
            _statistics = new SqliteJobStatistics(session, errors);
        }

        public string Location => _session.Location;

        public bool IsReadOnly => _session.IsReadOnly;

        /// <summary>
        /// Opens (or, for <see cref="StoreAccess.ReadWrite"/>, creates) a store. Refuses, without modifying it, a file
        /// that is not a SQLite database, a SQLite database that is not a BatchOps store, and a store from a newer
        /// BatchOps.
        /// </summary>
        public static SqliteJobStore Open(string path, StoreAccess access = StoreAccess.ReadWrite) => Open(path, access, null, null);

        /// <summary>The same, with a clock (tests) and a busy timeout of one's own.</summary>
        /// <remarks>
        /// Kept apart from the overload above so that the cmdlets never name TimeProvider: it lives in
        /// Microsoft.Bcl.TimeProvider, which is loaded only in the module's own load context.
        /// </remarks>
        public static SqliteJobStore Open(string path, StoreAccess access, TimeProvider? time, TimeSpan? busyTimeout = null) =>
            new SqliteJobStore(SqliteStoreOpener.Open(path, access, time, busyTimeout));

        /// <summary>
        /// Checks a store path without creating or opening anything: its folder exists, and the file (if any) is a
        /// SQLite database. Lets a command refuse a bad -Store before reading its input, and create the store only
        /// when the first valid item arrives.
        /// </summary>
        public static bool CheckLocation(string fullPath) => SqliteStoreOpener.CheckLocation(fullPath);

        public long NowMs() => _session.NowMs();

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

        public long ImportItems(BatchJob job, IReadOnlyList<ItemState> items, IReadOnlyList<ErrorEntry> lines) => new SqliteItemImport(_session).Import(job, items, lines);

        public void Dispose() => _session.Dispose();
    }
}
