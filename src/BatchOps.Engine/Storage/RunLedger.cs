using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace BatchOps.Engine.Storage
{
    /// <summary>A backend's claims: items leased to a run in one transaction (<see cref="IRunLedger.Claim"/>).</summary>
    internal interface IRunClaims
    {
        ClaimResult Claim(long jobId, long runId, int count, long leaseExpiresMs, int maxAttempts, bool includeExpired, IReadOnlyCollection<string>? onlyKeys);
    }

    /// <summary>A backend's commits: outcomes, retries, batches and the checkpoint in one transaction (<see cref="IRunLedger.Commit"/>).</summary>
    internal interface IRunCommits
    {
        CommitResult Commit(RunCommit commit);
    }

    /// <summary>
    /// The run ledger of a store, on every backend: runs and their checkpoints (<see cref="LedgerRuns"/>), leases and
    /// the stop and suspend signals, with the backend's own claims and commits (SQLite: <see cref="SqliteClaims"/>,
    /// <see cref="SqliteCommits"/>; PostgreSQL: FOR UPDATE SKIP LOCKED and array statements). What a backend adds: what
    /// must happen before a run starts (SQLite keeps room for its final checkpoint), and whom to tell that a job changed
    /// (PostgreSQL notifies the runs of every host).
    /// </summary>
    internal sealed class RunLedger : IRunLedger
    {
        private static readonly string Running = RunState.Running.ToString();

        private readonly IStoreSession _s;
        private readonly IRunClaims _claims;
        private readonly IRunCommits _commits;
        private readonly LedgerRuns _runs;
        private readonly Action? _beforeRunStarts;
        private readonly Action<long>? _jobChanged;

        public RunLedger(IStoreSession session, IRunClaims claims, IRunCommits commits, Action? beforeRunStarts = null, Action<long>? jobChanged = null)
        {
            _s = session;
            _claims = claims;
            _commits = commits;
            _runs = new LedgerRuns(session.Sql);
            _beforeRunStarts = beforeRunStarts;
            _jobChanged = jobChanged;
        }

        public long StartRun(long jobId, RunStart start)
        {
            _s.RequireWritable();
            _beforeRunStarts?.Invoke();
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
                LedgerRuns.RequireRun(_s.Sql, runId);
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
            _s.Sql.Rows(RunLedgerSql.Signals, r => new RunSignals(StoreRows.Long(r, 0) != 0, StoreRows.Long(r, 1) != 0, StoreRows.Long(r, 2)), ("run", runId))
                .DefaultIfEmpty(new RunSignals(false, false, 0))
                .First());

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

        /// <summary>Sets a signal on a running run; when it was set, tells that the run's job changed (in the same transaction).</summary>
        private bool Signal(string sql, params (string Name, object? Value)[] args)
        {
            object? jobId = _s.Sql.Scalar(sql + " RETURNING job_id", args);
            if (jobId == null)
            {
                return false;
            }

            _jobChanged?.Invoke(Convert.ToInt64(jobId, CultureInfo.InvariantCulture));
            return true;
        }
    }
}
