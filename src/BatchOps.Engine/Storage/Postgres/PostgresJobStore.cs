using System;
using System.Collections.Generic;
using BatchOps.Engine.Health;
using Npgsql;

namespace BatchOps.Engine.Storage.Postgres
{
    /// <summary>
    /// A job store on a PostgreSQL server, shared by runs on several machines: the same operations and outcomes as the
    /// embedded <see cref="SqliteJobStore"/>. One instance holds one connection (<see cref="PostgresSession"/>) and
    /// serialises its own callers; claims skip rows other hosts hold (FOR UPDATE SKIP LOCKED), and leases and
    /// heartbeats are timed on the server's clock. Opened, checked and upgraded by <see cref="PostgresStoreFile"/>;
    /// jobs and items are the <see cref="PostgresJobCatalog"/>, runs, claims and commits the
    /// <see cref="PostgresRunLedger"/>, errors, activity, history and baselines the <see cref="PostgresJobStatistics"/>.
    /// </summary>
    public sealed class PostgresJobStore : IJobStore, IJobChangeFeed
    {
        private readonly PostgresSession _session;
        private readonly PostgresJobCatalog _catalog;
        private readonly PostgresRunLedger _ledger;
        private readonly PostgresJobStatistics _statistics;

        private PostgresJobStore(PostgresSession session)
        {
            _session = session;
            var errors = new PostgresErrorLog(session);
            _catalog = new PostgresJobCatalog(session);
            _ledger = new PostgresRunLedger(session, errors);
            _statistics = new PostgresJobStatistics(session, errors);
        }

        /// <summary>The store as shown, <c>postgresql://user@host/database</c>: never with its password.</summary>
        public string Location => _session.Location;

        public bool IsReadOnly => _session.IsReadOnly;

        /// <summary>
        /// Opens the store a postgresql:// URI or connection string names; for <see cref="StoreAccess.ReadWrite"/> the
        /// schema is created or upgraded when the user may. <paramref name="time"/> is this host's clock (tests move it);
        /// the store times leases on the server's clock whatever it says.
        /// </summary>
        public static PostgresJobStore Open(string store, StoreAccess access = StoreAccess.ReadWrite, TimeProvider? time = null)
        {
            PostgresAddress address = PostgresAddress.Parse(store);
            bool readOnly = access == StoreAccess.ReadOnly;
            NpgsqlConnection connection = PostgresStoreFile.Open(address, mayWrite: !readOnly);
            try
            {
                return new PostgresJobStore(new PostgresSession(address, connection, time ?? TimeProvider.System, readOnly));
            }
            catch (NpgsqlException e)
            {
                connection.Dispose();
                throw PostgresErrors.Translate(e, address);
            }
        }

        /// <summary>Checks the store string and that the server answers, without writing. Returns whether the store's schema exists.</summary>
        public static bool CheckLocation(string store) => PostgresStoreFile.Exists(PostgresAddress.Parse(store));

        public long NowMs() => _session.NowMs();

        /// <summary>Listens (LISTEN/NOTIFY, on a connection of its own) for the job's changes told by any host.</summary>
        public IJobChangeListener Listen(long jobId) => _session.Guarded(() => new PostgresChangeListener(_session.Address, jobId));

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

        public long ImportItems(BatchJob job, IReadOnlyList<ItemState> items, IReadOnlyList<ErrorEntry> lines) => new PostgresItemImport(_session).Import(job, items, lines);

        public void Dispose() => _session.Dispose();
    }
}
