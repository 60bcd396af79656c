using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using BatchOps.Engine.Diagnostics;

namespace BatchOps.Engine.Storage
{
    /// <summary>A backend's part of a claim (<see cref="RunLedger.Claim"/> does the rest, the same on every backend).</summary>
    internal interface IRunClaims
    {
        /// <summary>
        /// Leases to the run, under <paramref name="token"/>, up to <paramref name="n"/> items of the job in id order:
        /// expired leases (<paramref name="from"/> Running, the lease run out by <paramref name="now"/>) or pending
        /// items, only the chosen keys if any; adds them to <paramref name="into"/> with their attempt counted and their
        /// LeasePosition (0, 1, 2 ... among this token's items). Runs inside the claim's write transaction.
        /// </summary>
        void Take(ItemStatus from, long jobId, long runId, long token, long leaseExpiresMs, long now, int n, IReadOnlyCollection<string>? onlyKeys, List<ClaimedItem> into);
    }

    /// <summary>A backend's writes to the error log, inside the caller's write transaction.</summary>
    internal interface IErrorLog
    {
        void Insert(long jobId, long runId, string key, int attempt, long now, string? type, string? message, string? detail = null);
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
        private readonly IErrorLog _errors;
        private readonly LeaseTokens _tokens = new LeaseTokens();
        private readonly LedgerRuns _runs;
        private readonly Action? _beforeRunStarts;
        private readonly Action<long>? _jobChanged;

        public RunLedger(IStoreSession session, IRunClaims claims, IRunCommits commits, IErrorLog errors, Action? beforeRunStarts = null, Action<long>? jobChanged = null)
        {
            _s = session;
            _claims = claims;
            _commits = commits;
            _errors = errors;
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

        /// <summary>
        /// Leases items to a run in one transaction: expired leases first, then pending items in id order; items started
        /// too often are failed instead (poison items, <see cref="ClaimSplit"/>).
        /// </summary>
        public ClaimResult Claim(long jobId, long runId, int count, long leaseExpiresMs, int maxAttempts, bool includeExpired = true, IReadOnlyCollection<string>? onlyKeys = null)
        {
            _s.RequireWritable();
            if (count <= 0)
            {
                return new ClaimResult();
            }

            return _s.Guarded(() => RunProfile.Time(RunProfile.Phase.StoreClaim, () => _s.Write(() =>
            {
                long now = _s.Sql.NowMs();
                var claimed = new List<ClaimedItem>(count);
                // Each part of a claim has a token of its own, so that a token's items are one list in id order
                // (ClaimedItem.LeasePosition): expired leases and pending items interleave by id.
                if (includeExpired)
                {
                    _claims.Take(ItemStatus.Running, jobId, runId, _tokens.Next(), leaseExpiresMs, now, count, onlyKeys, claimed);
                }

                int reclaimed = claimed.Count;
                if (claimed.Count < count)
                {
                    _claims.Take(ItemStatus.Pending, jobId, runId, _tokens.Next(), leaseExpiresMs, now, count - claimed.Count, onlyKeys, claimed);
                }

                int fromPending = claimed.Count - reclaimed;
                ClaimSplit split = ClaimSplit.Of(claimed, maxAttempts, item => AbandonPoisonItem(jobId, runId, item, now));
                if (claimed.Count > 0)
                {
                    if (split.Abandoned.Count > 0)
                    {
                        _s.Sql.Execute(RunLedgerSql.RunFailedAtClaim, ("n", split.Abandoned.Count), ("run", runId));
                    }

                    // Last, so that the job's row (which every host's claims and commits update) stays locked the shortest time.
                    _s.Sql.Execute(RunLedgerSql.JobClaimed, ("fromPending", fromPending), ("abandoned", split.Abandoned.Count), ("now", now), ("job", jobId));
                }

                return new ClaimResult { Items = split.Kept, Abandoned = split.Abandoned };
            })));
        }

        public CommitResult Commit(RunCommit commit)
        {
            _s.RequireWritable();
            return commit.IsEmpty ? new CommitResult(new bool[0]) : _commits.Commit(commit);
        }

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

        private void AbandonPoisonItem(long jobId, long runId, ClaimedItem item, long now)
        {
            string message = Wording.Abandoned(item.Attempts - 1);
            _s.Sql.Execute(RunLedgerSql.AbandonPoison, ("error", message), ("now", now), ("id", item.Id));
            _errors.Insert(jobId, runId, item.Key, item.Attempts - 1, now, ErrorEntry.Abandoned, message);
        }

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
