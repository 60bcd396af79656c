using System.Collections.Generic;
using Npgsql;

namespace BatchOps.Engine.Storage.Postgres
{
    /// <summary>
    /// The run ledger of a PostgreSQL store: runs and their checkpoints, claims (<see cref="PostgresClaims"/>), commits
    /// (<see cref="PostgresCommits"/>), leases and the stop and suspend signals, with the same outcomes as
    /// <see cref="SqliteRunLedger"/>: what both do alike is <see cref="LedgerRuns"/>, the statements both share are
    /// <see cref="RunLedgerSql"/>. Times are the server's
    /// (<see cref="PostgresSession.NowMs"/>); a stop or suspend request notifies the job's channel, so that runs on
    /// other hosts can wake at once.
    /// </summary>
    internal sealed class PostgresRunLedger : IRunLedger
    {
        private static readonly string Running = RunState.Running.ToString();

        private readonly PostgresSession _s;
        private readonly PostgresClaims _claims;
        private readonly PostgresCommits _commits;
        private readonly LedgerRuns _runs;

        public PostgresRunLedger(PostgresSession session, PostgresErrorLog errors)
        {
            _s = session;
            _claims = new PostgresClaims(session, errors);
            _commits = new PostgresCommits(session, errors);
            _runs = new LedgerRuns(StoreSql.For(session));
        }

        public long StartRun(long jobId, RunStart start)
        {
            _s.RequireWritable();
            return _s.Guarded(() => _s.Write(() => _runs.Start(jobId, start)));
        }

        public IReadOnlyList<RunRecord> GetActiveRuns(long jobId) => _s.Guarded(() => _runs.Active(jobId));

        public long AbandonRuns(long jobId, IReadOnlyList<long> runIds, string message)
        {
            _s.RequireWritable();
            return runIds.Count == 0 ? 0 : _s.Guarded(() => _s.Write(() => _runs.Abandon(jobId, runIds, message)));
        }

        public ClaimResult Claim(long jobId, long runId, int count, long leaseExpiresMs, int maxAttempts, bool includeExpired = true, IReadOnlyCollection<string>? onlyKeys = null) =>
            _claims.Claim(jobId, runId, count, leaseExpiresMs, maxAttempts, includeExpired, onlyKeys);

        public CommitResult Commit(RunCommit commit) => _commits.Commit(commit);

        public bool RenewLeases(long jobId, long runId, long leaseExpiresMs)
        {
            _s.RequireWritable();
            return _s.Guarded(() => _s.Write(() =>
            {
                _commits.RequireRun(runId);
                return _runs.Renew(jobId, runId, leaseExpiresMs);
            }));
        }

        public bool RequestStop(long runId)
        {
            _s.RequireWritable();
            return _s.Guarded(() => _s.Write(() => Signal(RunLedgerSql.RequestStop, ("run", runId), ("running", Running))));
        }

        public bool RequestSuspend(long runId, bool suspend)
        {
            _s.RequireWritable();
            return _s.Guarded(() => _s.Write(() => Signal(RunLedgerSql.RequestSuspend, ("suspend", suspend ? 1 : 0), ("run", runId), ("running", Running))));
        }

        public RunSignals ReadSignals(long runId) => _s.Guarded(() =>
        {
            using NpgsqlCommand cmd = _s.Command(RunLedgerSql.Signals, ("run", runId));
            using NpgsqlDataReader reader = cmd.ExecuteReader();
            return reader.Read()
                ? new RunSignals(StoreRows.Long(reader, 0) != 0, StoreRows.Long(reader, 1) != 0, StoreRows.Long(reader, 2))
                : new RunSignals(false, false, 0);
        });

        public void SetRunActivity(long runId, RunActivity activity, string? reason)
        {
            _s.RequireWritable();
            _s.Guarded(() => _s.Write(() => { _runs.SetActivity(runId, activity, reason); return 0; }));
        }

        public void RecordRunBackup(long runId, string backupName)
        {
            _s.RequireWritable();
            _s.Guarded(() => _s.Write(() => { _runs.RecordBackup(runId, backupName); return 0; }));
        }

        public BatchCheckpoint? GetCheckpoint(BatchJob job) => _s.Guarded(() => _runs.Checkpoint(job));

        /// <summary>Sets a signal on a running run and, if it was set, notifies the run's job (in the same transaction, so sent at its commit).</summary>
        private bool Signal(string sql, params (string Name, object? Value)[] args)
        {
            using NpgsqlCommand cmd = _s.Command(sql + " RETURNING job_id", args);
            object? jobId = cmd.ExecuteScalar();
            if (jobId == null || jobId is System.DBNull)
            {
                return false;
            }

            _s.Notify((long)jobId);
            return true;
        }
    }
}
