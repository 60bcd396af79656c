using System;
using System.Collections.Generic;

namespace BatchOps.Engine.Storage.Postgres
{
    /// <summary>STUB: the run ledger of a PostgreSQL store.</summary>
    internal sealed class PostgresRunLedger : IRunLedger
    {
        private readonly PostgresSession _s;

        public PostgresRunLedger(PostgresSession session, PostgresErrorLog errors) => _s = session;

        public BatchCheckpoint? GetCheckpoint(BatchJob job) => throw new NotImplementedException();

        public IReadOnlyList<RunRecord> GetActiveRuns(long jobId) => throw new NotImplementedException();

        public long AbandonRuns(long jobId, IReadOnlyList<long> runIds, string message) => throw new NotImplementedException();

        public long StartRun(long jobId, RunStart start) => throw new NotImplementedException();

        public ClaimResult Claim(long jobId, long runId, int count, long leaseExpiresMs, int maxAttempts, bool includeExpired, IReadOnlyCollection<string>? onlyKeys) => throw new NotImplementedException();

        public CommitResult Commit(RunCommit commit) => throw new NotImplementedException();

        public bool RenewLeases(long jobId, long runId, long leaseExpiresMs) => throw new NotImplementedException();

        public bool RequestStop(long runId) => throw new NotImplementedException();

        public bool RequestSuspend(long runId, bool suspend) => throw new NotImplementedException();

        public RunSignals ReadSignals(long runId) => throw new NotImplementedException();

        public void SetRunActivity(long runId, RunActivity activity, string? reason) => throw new NotImplementedException();

        public void RecordRunBackup(long runId, string backupName) => throw new NotImplementedException();
    }
}
