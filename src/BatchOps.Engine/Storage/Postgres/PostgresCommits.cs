using System.Collections.Generic;
using System.Linq;
using BatchOps.Engine.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace BatchOps.Engine.Storage.Postgres
{
    /// <summary>
    /// Commits of a PostgreSQL run ledger, with the outcomes of <see cref="SqliteCommits"/>: a batch's retries,
    /// outcomes, finished batches and the run's checkpoint in one transaction. Each kind is one fenced statement over
    /// arrays (<c>UPDATE ... FROM unnest(...)</c>: same id, same lease token, still running), so a batch of a thousand
    /// items is a handful of round trips, an outcome of a lease that was taken over is refused, and each outcome is
    /// recorded once. The job's counters are the transaction's last statement: every host's claims and commits
    /// update that one row, so it stays locked the shortest time.
    /// </summary>
    internal sealed class PostgresCommits : IRunCommits
    {
        private static readonly string RetrySql =
            "UPDATE items i SET attempts = i.attempts + r.n, last_error = r.error FROM unnest(@ids, @tokens, @counts, @errors) AS r(id, token, n, error) " +
            "WHERE i.id = r.id AND i.lease_token = r.token AND i.status = " + ItemStatusSql.Running + " RETURNING i.id";

        private static readonly string FinishSql =
            "UPDATE items i SET status = o.status, result = o.result, last_error = o.error, started_ms = COALESCE(o.started, i.started_ms), finished_ms = o.finished, " +
            "duration_ms = o.duration, finished_batch = o.batch, lease_token = NULL, lease_expires_ms = NULL " +
            "FROM unnest(@ids, @tokens, @statuses, @results, @errors, @started, @finished, @durations, @batches) AS o(id, token, status, result, error, started, finished, duration, batch) " +
            "WHERE i.id = o.id AND i.lease_token = o.token AND i.status = " + ItemStatusSql.Running + " RETURNING i.id";

        private static readonly string ReleaseSql =
            "UPDATE items i SET status = " + ItemStatusSql.Pending + ", attempts = i.attempts - o.undo, started_ms = NULL, lease_token = NULL, lease_expires_ms = NULL " +
            "FROM unnest(@ids, @tokens, @undo) AS o(id, token, undo) " +
            "WHERE i.id = o.id AND i.lease_token = o.token AND i.status = " + ItemStatusSql.Running + " RETURNING i.id";

        private const string BatchesSql =
            "INSERT INTO batches (run_id, number, items, succeeded, failed, released, started_ms, completed_ms) " +
            "SELECT @run, b.number, b.items, b.succeeded, b.failed, b.released, b.started, b.completed " +
            "FROM unnest(@numbers, @items, @succeeded, @failed, @released, @started, @completed) AS b(number, items, succeeded, failed, released, started, completed)";

        private readonly PostgresSession _s;
        private readonly PostgresErrorLog _errors;

        public PostgresCommits(PostgresSession session, PostgresErrorLog errors)
        {
            _s = session;
            _errors = errors;
        }

        /// <summary>Writes a commit that is not empty (<see cref="RunLedger.Commit"/> checks).</summary>
        public CommitResult Commit(RunCommit commit)
        {
            return _s.Guarded(() => RunProfile.Time(RunProfile.Phase.StoreCommit, () => _s.Write(() =>
            {
                LedgerRuns.RequireRun(_s.Sql, commit.RunId);
                long now = _s.NowMs();
                var lines = new List<ErrorLine>();

                // Retries first: an item's failed attempts always happen before its final outcome.
                HashSet<long> retried = Retry(commit.Retries);
                foreach (ItemRetry retry in commit.Retries.Where(r => retried.Contains(r.ItemId)))
                {
                    lines.Add(new ErrorLine(retry.Key, retry.Attempt, retry.ErrorType, retry.Error, retry.ErrorDetail));
                }

                // Events worth a line in the error log that are not attempts (a rate limit that paused dispatch).
                lines.AddRange(commit.Notes.Select(note => new ErrorLine(note.Key, note.Attempt, note.ErrorType, note.Message, null)));

                bool[] accepted = RecordOutcomes(commit.Outcomes, now);
                OutcomeCounts counts = OutcomeCounts.Of(commit.Outcomes, accepted, outcome => lines.Add(new ErrorLine(outcome.Key, outcome.Attempt, outcome.ErrorType, outcome.Error, outcome.ErrorDetail)));
                long succeeded = counts.Succeeded, failed = counts.Failed, released = counts.Released;

                _errors.InsertAll(commit.JobId, commit.RunId, now, lines);
                InsertBatches(commit.RunId, commit.Batches);

                // The run's counters, and its checkpoint when the runner sends one, in one statement.
                RunCheckpointUpdate? checkpoint = commit.Checkpoint;
                _s.Execute(
                    RunLedgerSql.CommitRun,
                    ("succeeded", succeeded),
                    ("failed", failed),
                    ("released", released),
                    ("now", now),
                    ("state", checkpoint?.State.ToString()),
                    ("reason", checkpoint?.StopReason.ToString()),
                    ("started", checkpoint?.BatchesStarted),
                    ("completed", checkpoint?.BatchesCompleted),
                    ("claimed", checkpoint?.Claimed),
                    ("message", checkpoint?.Message),
                    ("final", checkpoint?.Final == true ? 1 : 0),
                    ("run", commit.RunId));

                // A run that ends holds no item: what outcomes lost on the way left leased goes back to the queue.
                long held = 0;
                if (checkpoint?.Final == true)
                {
                    held = _s.Execute(RunLedgerSql.ReleaseHeld, ("job", commit.JobId), ("run", commit.RunId));
                    if (held > 0)
                    {
                        _s.Execute(RunLedgerSql.RunReleased, ("n", held), ("run", commit.RunId));
                    }
                }

                // Last: the job's row, the one every host's claims and commits update.
                if (succeeded + failed + released + held > 0)
                {
                    _s.Execute(
                        RunLedgerSql.JobOutcomes,
                        ("released", released + held),
                        ("finished", succeeded + failed + released + held),
                        ("succeeded", succeeded),
                        ("failed", failed),
                        ("now", now),
                        ("job", commit.JobId));
                }

                return new CommitResult(accepted);
            })));
        }

        /// <summary>
        /// Counts the failed attempts of items still leased under the same token, in one statement: an item retried
        /// twice since the last commit gains two attempts and keeps the later error. Returns the items counted.
        /// </summary>
        private HashSet<long> Retry(IReadOnlyList<ItemRetry> retries)
        {
            var counted = new HashSet<long>();
            if (retries.Count == 0)
            {
                return counted;
            }

            var groups = retries.GroupBy(r => (r.ItemId, r.LeaseToken)).ToList();
            using NpgsqlCommand cmd = _s.Command(RetrySql);
            AddArray(cmd, "ids", NpgsqlDbType.Bigint, groups.Select(g => g.Key.ItemId).ToArray());
            AddArray(cmd, "tokens", NpgsqlDbType.Bigint, groups.Select(g => g.Key.LeaseToken).ToArray());
            AddArray(cmd, "counts", NpgsqlDbType.Integer, groups.Select(g => g.Count()).ToArray());
            AddArray(cmd, "errors", NpgsqlDbType.Text, groups.Select(g => g.Last().Error).ToArray());
            ReadIds(cmd, counted);
            return counted;
        }

        /// <summary>
        /// Writes the outcomes whose lease is still ours (same token, still running): finished items in one statement,
        /// released ones in another. An item is written once: a second outcome for it in the same commit is refused.
        /// </summary>
        private bool[] RecordOutcomes(IReadOnlyList<ItemOutcome> outcomes, long now)
        {
            var accepted = new bool[outcomes.Count];
            var first = new Dictionary<long, int>();
            for (int i = 0; i < outcomes.Count; i++)
            {
                if (!first.ContainsKey(outcomes[i].ItemId))
                {
                    first.Add(outcomes[i].ItemId, i);
                }
            }

            List<ItemOutcome> unique = first.Values.Select(i => outcomes[i]).ToList();
            var written = new HashSet<long>();
            List<ItemOutcome> finished = unique.Where(o => o.Kind != OutcomeKind.Released).ToList();
            if (finished.Count > 0)
            {
                using NpgsqlCommand cmd = _s.Command(FinishSql);
                AddArray(cmd, "ids", NpgsqlDbType.Bigint, finished.Select(o => o.ItemId).ToArray());
                AddArray(cmd, "tokens", NpgsqlDbType.Bigint, finished.Select(o => o.LeaseToken).ToArray());
                AddArray(cmd, "statuses", NpgsqlDbType.Integer, finished.Select(o => o.Kind == OutcomeKind.Succeeded ? (int)ItemStatus.Succeeded : (int)ItemStatus.Failed).ToArray());
                AddArray(cmd, "results", NpgsqlDbType.Text, finished.Select(o => o.Result).ToArray());
                AddArray(cmd, "errors", NpgsqlDbType.Text, finished.Select(o => o.Kind == OutcomeKind.Failed ? o.Error : null).ToArray());
                AddArray(cmd, "started", NpgsqlDbType.Bigint, finished.Select(o => o.StartedMs).ToArray());
                AddArray(cmd, "finished", NpgsqlDbType.Bigint, finished.Select(o => o.FinishedMs ?? now).ToArray());
                AddArray(cmd, "durations", NpgsqlDbType.Bigint, finished.Select(o => o.DurationMs).ToArray());
                AddArray(cmd, "batches", NpgsqlDbType.Bigint, finished.Select(o => o.Batch).ToArray());
                ReadIds(cmd, written);
            }

            List<ItemOutcome> releases = unique.Where(o => o.Kind == OutcomeKind.Released).ToList();
            if (releases.Count > 0)
            {
                using NpgsqlCommand cmd = _s.Command(ReleaseSql);
                AddArray(cmd, "ids", NpgsqlDbType.Bigint, releases.Select(o => o.ItemId).ToArray());
                AddArray(cmd, "tokens", NpgsqlDbType.Bigint, releases.Select(o => o.LeaseToken).ToArray());
                AddArray(cmd, "undo", NpgsqlDbType.Integer, releases.Select(o => o.UndoAttempt ? 1 : 0).ToArray());
                ReadIds(cmd, written);
            }

            foreach (KeyValuePair<long, int> item in first)
            {
                accepted[item.Value] = written.Contains(item.Key);
            }

            return accepted;
        }

        private void InsertBatches(long runId, IReadOnlyList<BatchRecord> batches)
        {
            if (batches.Count == 0)
            {
                return;
            }

            using NpgsqlCommand cmd = _s.Command(BatchesSql, ("run", runId));
            AddArray(cmd, "numbers", NpgsqlDbType.Bigint, batches.Select(b => b.Number).ToArray());
            AddArray(cmd, "items", NpgsqlDbType.Bigint, batches.Select(b => (long)b.Items).ToArray());
            AddArray(cmd, "succeeded", NpgsqlDbType.Bigint, batches.Select(b => (long)b.Succeeded).ToArray());
            AddArray(cmd, "failed", NpgsqlDbType.Bigint, batches.Select(b => (long)b.Failed).ToArray());
            AddArray(cmd, "released", NpgsqlDbType.Bigint, batches.Select(b => (long)b.Released).ToArray());
            AddArray(cmd, "started", NpgsqlDbType.Bigint, batches.Select(b => b.StartedMs).ToArray());
            AddArray(cmd, "completed", NpgsqlDbType.Bigint, batches.Select(b => b.CompletedMs).ToArray());
            cmd.ExecuteNonQuery();
        }

        private static void AddArray(NpgsqlCommand cmd, string name, NpgsqlDbType element, object values) =>
            cmd.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | element) { Value = values });

        private static void ReadIds(NpgsqlCommand cmd, HashSet<long> into)
        {
            using NpgsqlDataReader reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                into.Add(reader.GetInt64(0));
            }
        }
    }
}
