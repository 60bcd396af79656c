using System.Collections.Generic;
using BatchOps.Engine.Diagnostics;
using Microsoft.Data.Sqlite;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// Commits of the run ledger: a batch's outcomes, retries, finished batches and the run's checkpoint in one
    /// transaction. Each outcome is written by one fenced UPDATE (same id, same lease token, still running), so an
    /// outcome of a lease that was taken over is refused, and each outcome is recorded once.
    /// </summary>
    internal sealed class SqliteCommits : IRunCommits
    {
        private static readonly string RetrySql =
            "UPDATE items SET attempts = attempts + 1, last_error = @error WHERE id = @id AND lease_token = @token AND status = " + ItemStatusSql.Running;

        private static readonly string FinishSql =
            "UPDATE items SET status = @status, result = @result, last_error = @error, started_ms = COALESCE(@started, started_ms), finished_ms = @finished, duration_ms = @duration, finished_batch = @batch, lease_token = NULL, lease_expires_ms = NULL " +
            "WHERE id = @id AND lease_token = @token AND status = " + ItemStatusSql.Running;

        private static readonly string ReleaseSql =
            "UPDATE items SET status = " + ItemStatusSql.Pending + ", attempts = attempts - @undo, started_ms = NULL, lease_token = NULL, lease_expires_ms = NULL " +
            "WHERE id = @id AND lease_token = @token AND status = " + ItemStatusSql.Running;

        private readonly SqliteSession _s;
        private readonly SqliteErrorLog _errors;
        private SqlitePlainSuccess? _plainSuccess;
        private SqliteSuccessRanges? _successRanges;
        private SqliteRawStatement? _insertBatch;

        public SqliteCommits(SqliteSession session, SqliteErrorLog errors)
        {
            _s = session;
            _errors = errors;
        }

        /// <summary>Writes a commit that is not empty (<see cref="RunLedger.Commit"/> checks).</summary>
        public CommitResult Commit(RunCommit commit)
        {
            bool final = commit.Checkpoint?.Final == true;
            return _s.Guarded(() => RunProfile.Time(RunProfile.Phase.StoreCommit, () => _s.WriteMakingRoom(final, () =>
            {
                LedgerRuns.RequireRun(_s.Sql, commit.RunId);
                long now = _s.NowMs();
                // Retries first: an item's failed attempts always happen before its final outcome.
                foreach (ItemRetry retry in commit.Retries)
                {
                    SqliteCommand cmd = _s.Cached("commit.retry", RetrySql, ("@error", retry.Error), ("@id", retry.ItemId), ("@token", retry.LeaseToken));
                    if (cmd.ExecuteNonQuery() == 1)
                    {
                        _errors.Insert(commit.JobId, commit.RunId, retry.Key, retry.Attempt, now, retry.ErrorType, retry.Error, retry.ErrorDetail);
                    }
                }

                // Events worth a line in the error log that are not attempts (a rate limit that paused dispatch).
                foreach (ErrorNote note in commit.Notes)
                {
                    _errors.Insert(commit.JobId, commit.RunId, note.Key, note.Attempt, now, note.ErrorType, note.Message);
                }

                var accepted = new bool[commit.Outcomes.Count];
                if (commit.Outcomes.Count >= SqliteSuccessRanges.Smallest)
                {
                    (_successRanges ??= _s.Own(new SqliteSuccessRanges(_s.Connection))).Write(commit.Outcomes, accepted, now);
                }

                for (int i = 0; i < commit.Outcomes.Count; i++)
                {
                    if (accepted[i])
                    {
                        continue; // written in a range
                    }

                    ItemOutcome outcome = commit.Outcomes[i];
                    accepted[i] = SqlitePlainSuccess.Fits(outcome)
                        ? (_plainSuccess ??= _s.Own(new SqlitePlainSuccess(_s.Connection))).Execute(outcome, now)
                        : RecordOutcome(outcome, now);
                }

                OutcomeCounts counts = OutcomeCounts.Of(commit.Outcomes, accepted, outcome => _errors.Insert(commit.JobId, commit.RunId, outcome.Key, outcome.Attempt, now, outcome.ErrorType, outcome.Error, outcome.ErrorDetail));
                long succeeded = counts.Succeeded, failed = counts.Failed, released = counts.Released;

                foreach (BatchRecord batch in commit.Batches)
                {
                    // Named parameters are numbered in the order they first appear: @run is 1, @number 2 ...
                    SqliteRawStatement insert = _insertBatch ??= _s.Own(new SqliteRawStatement(_s.Connection, RunLedgerSql.InsertBatch));
                    insert.Bind(1, commit.RunId);
                    insert.Bind(2, batch.Number);
                    insert.Bind(3, batch.Items);
                    insert.Bind(4, batch.Succeeded);
                    insert.Bind(5, batch.Failed);
                    insert.Bind(6, batch.Released);
                    insert.Bind(7, batch.StartedMs);
                    insert.Bind(8, batch.CompletedMs);
                    insert.Execute();
                }

                if (succeeded + failed + released > 0)
                {
                    _s.Cached(
                        "commit.counters",
                        RunLedgerSql.JobOutcomes,
                        ("@released", released),
                        ("@finished", succeeded + failed + released),
                        ("@succeeded", succeeded),
                        ("@failed", failed),
                        ("@now", now),
                        ("@job", commit.JobId)).ExecuteNonQuery();
                }

                // The run's counters, and its checkpoint when the runner sends one, in one statement.
                RunCheckpointUpdate? checkpoint = commit.Checkpoint;
                _s.Cached(
                    "commit.run",
                    RunLedgerSql.CommitRun,
                    ("@succeeded", succeeded),
                    ("@failed", failed),
                    ("@released", released),
                    ("@now", now),
                    ("@state", checkpoint?.State.ToString()),
                    ("@reason", checkpoint?.StopReason.ToString()),
                    ("@started", checkpoint?.BatchesStarted),
                    ("@completed", checkpoint?.BatchesCompleted),
                    ("@claimed", checkpoint?.Claimed),
                    ("@message", checkpoint?.Message),
                    ("@final", checkpoint?.Final == true ? 1 : 0),
                    ("@run", commit.RunId)).ExecuteNonQuery();
                if (final)
                {
                    ReleaseHeld(commit.JobId, commit.RunId, now);
                }

                return new CommitResult(accepted);
            })));
        }

        /// <summary>Writes one outcome if the lease is still ours (same token, still running). Returns whether it was.</summary>
        private bool RecordOutcome(ItemOutcome outcome, long now)
        {
            SqliteCommand cmd;
            switch (outcome.Kind)
            {
                case OutcomeKind.Succeeded:
                case OutcomeKind.Failed:
                    cmd = _s.Cached(
                        "commit.finish",
                        FinishSql,
                        ("@status", outcome.Kind == OutcomeKind.Succeeded ? (int)ItemStatus.Succeeded : (int)ItemStatus.Failed),
                        ("@result", outcome.Result),
                        ("@error", outcome.Kind == OutcomeKind.Failed ? outcome.Error : null),
                        ("@started", outcome.StartedMs),
                        ("@finished", outcome.FinishedMs ?? now),
                        ("@duration", outcome.DurationMs),
                        ("@batch", outcome.Batch),
                        ("@id", outcome.ItemId),
                        ("@token", outcome.LeaseToken));
                    break;
                default:
                    cmd = _s.Cached("commit.release", ReleaseSql, ("@undo", outcome.UndoAttempt ? 1 : 0), ("@id", outcome.ItemId), ("@token", outcome.LeaseToken));
                    break;
            }

            return cmd.ExecuteNonQuery() == 1;
        }

        /// <summary>
        /// A run that ends holds no item. Its items are normally released one by one as its workers stop; after a
        /// failure that lost outcomes on the way (a full disk rolled back the commit that carried them) some are
        /// still marked running under its lease. They go back to the queue here, in the final checkpoint's
        /// transaction. The attempt stays counted, as for a run that crashed.
        /// </summary>
        private void ReleaseHeld(long jobId, long runId, long now)
        {
            long returned = _s.Execute(RunLedgerSql.ReleaseHeld, ("@job", jobId), ("@run", runId));
            if (returned == 0)
            {
                return;
            }

            _s.Execute(RunLedgerSql.JobReturned, ("@n", returned), ("@now", now), ("@job", jobId));
            _s.Execute(RunLedgerSql.RunReleased, ("@n", returned), ("@run", runId));
        }
    }
}
