using System;
using System.Collections.Generic;
using Microsoft.Data.Sqlite;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// The run ledger of a SQLite store: runs and their checkpoints, claims (<see cref="SqliteClaims"/>), commits
    /// (<see cref="SqliteCommits"/>), leases and the stop and suspend signals: the part of the store a runner uses
    /// while it works. What it does as the PostgreSQL ledger does is <see cref="LedgerRuns"/>.
    /// </summary>
    internal sealed class SqliteRunLedger : IRunLedger
    {
        private static readonly string Running = RunState.Running.ToString();

        private readonly SqliteSession _s;
        private readonly SqliteClaims _claims;
        private readonly SqliteCommits _commits;
        private readonly LedgerRuns _runs;

        public SqliteRunLedger(SqliteSession session, SqliteErrorLog errors)
        {
            _s = session;
            _claims = new SqliteClaims(session, errors);
            _commits = new SqliteCommits(session, errors);
            _runs = new LedgerRuns(StoreSql.For(session));
        }

        public long StartRun(long jobId, RunStart start)
        {
            _s.RequireWritable();
            StoreReserve.Ensure(_s.Location); // room for this run's final checkpoint should the disk fill up
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
            return _s.Guarded(() => _s.Write(() =>
                _s.Execute(RunLedgerSql.RequestStop, ("@run", runId), ("@running", Running)) > 0));
        }

        public bool RequestSuspend(long runId, bool suspend)
        {
            _s.RequireWritable();
            return _s.Guarded(() => _s.Write(() =>
                _s.Execute(RunLedgerSql.RequestSuspend, ("@suspend", suspend ? 1 : 0), ("@run", runId), ("@running", Running)) > 0));
        }

        public RunSignals ReadSignals(long runId) => _s.Guarded(() =>
        {
            SqliteCommand cmd = _s.Cached(
                "run.signals",
                RunLedgerSql.Signals,
                ("@run", runId));
            using var reader = cmd.ExecuteReader();
            return reader.Read()
                ? new RunSignals(reader.GetInt64(0) != 0, reader.GetInt64(1) != 0, reader.GetInt64(2))
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
    }
}
