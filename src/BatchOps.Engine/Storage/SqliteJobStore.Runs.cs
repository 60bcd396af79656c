using System;
using System.Collections.Generic;
using System.Globalization;
using BatchOps.Engine.Diagnostics;
using Microsoft.Data.Sqlite;

namespace BatchOps.Engine.Storage
{
    /// <summary>Runs, claims, leases and outcomes: the part of the store a runner uses while it works.</summary>
    public sealed partial class SqliteJobStore
    {
        private readonly Random _tokens = new Random();

        public long StartRun(long jobId, RunStart start)
        {
            RequireWritable();
            StoreReserve.Ensure(Location); // room for this run's final checkpoint should the disk fill up
            return Guarded(() => WriteTransaction(() =>
            {
                long now = NowMs();
                return ScalarLong(
                    "INSERT INTO runs (job_id, state, stop_reason, host, pid, process_started_ms, user_name, options, started_ms, updated_ms, heartbeat_ms) " +
                    "VALUES (@job, @state, 'None', @host, @pid, @pstart, @user, @options, @now, @now, @now) RETURNING id",
                    ("@job", jobId),
                    ("@state", RunState.Running.ToString()),
                    ("@host", start.Host),
                    ("@pid", start.ProcessId),
                    ("@pstart", start.ProcessStartedMs),
                    ("@user", start.User),
                    ("@options", start.OptionsJson),
                    ("@now", now));
            }));
        }

        public IReadOnlyList<RunRecord> GetActiveRuns(long jobId) => Guarded(() =>
        {
            var runs = new List<RunRecord>();
            using var cmd = Command(
                "SELECT id, job_id, state, host, pid, process_started_ms, heartbeat_ms, started_ms FROM runs WHERE job_id = @job AND state = @state ORDER BY id",
                ("@job", jobId),
                ("@state", RunState.Running.ToString()));
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                runs.Add(new RunRecord
                {
                    Id = reader.GetInt64(0),
                    JobId = reader.GetInt64(1),
                    State = ParseState(reader.GetString(2)),
                    Host = NullableString(reader, 3),
                    ProcessId = NullableLong(reader, 4) is long pid ? (int)pid : (int?)null,
                    ProcessStartedMs = NullableLong(reader, 5),
                    HeartbeatMs = reader.GetInt64(6),
                    StartedMs = reader.GetInt64(7),
                });
            }

            return (IReadOnlyList<RunRecord>)runs;
        });

        public long AbandonRuns(long jobId, IReadOnlyList<long> runIds, string message)
        {
            RequireWritable();
            if (runIds.Count == 0)
            {
                return 0;
            }

            return Guarded(() => WriteTransaction(() =>
            {
                long now = NowMs();
                long returned = 0;
                foreach (long runId in runIds)
                {
                    int marked = Execute(
                        "UPDATE runs SET state = @crashed, stop_reason = @reason, ended_ms = @now, updated_ms = @now, message = @message WHERE id = @run AND state = @running",
                        ("@crashed", RunState.Crashed.ToString()),
                        ("@reason", StopReason.Error.ToString()),
                        ("@now", now),
                        ("@message", message),
                        ("@run", runId),
                        ("@running", RunState.Running.ToString()));
                    if (marked == 0)
                    {
                        continue; // somebody else noticed first
                    }

                    // The attempt the dead run counted stays counted: an item that kills every run that starts it
                    // must reach the retry limit and be failed, not loop forever.
                    returned += Execute(
                        "UPDATE items SET status = 0, lease_token = NULL, lease_expires_ms = NULL WHERE job_id = @job AND status = 1 AND lease_run = @run",
                        ("@job", jobId),
                        ("@run", runId));
                }

                if (returned > 0)
                {
                    Execute("UPDATE jobs SET pending = pending + @n, running = running - @n, updated_ms = @now WHERE id = @job", ("@n", returned), ("@now", now), ("@job", jobId));
                }

                return returned;
            }));
        }

        public ClaimResult Claim(long jobId, long runId, int count, long leaseExpiresMs, int maxAttempts, bool includeExpired = true, IReadOnlyCollection<string>? onlyKeys = null)
        {
            RequireWritable();
            if (count <= 0)
            {
                return new ClaimResult();
            }

            ChosenKeys? only = onlyKeys == null ? null : new ChosenKeys(onlyKeys);
            return Guarded(() => RunProfile.Time(RunProfile.Phase.StoreClaim, () => WriteTransaction(() =>
            {
                long now = NowMs();
                long token = NextToken();
                var claimed = new List<ClaimedItem>(count);
                if (includeExpired)
                {
                    ReclaimExpired(jobId, runId, token, leaseExpiresMs, now, count, claimed, only);
                }

                int reclaimed = claimed.Count;
                if (claimed.Count < count)
                {
                    ClaimPending(jobId, runId, token, leaseExpiresMs, now, count - claimed.Count, claimed, only);
                }

                int fromPending = claimed.Count - reclaimed;
                var abandoned = new List<string>();
                var items = new List<ClaimedItem>(claimed.Count);
                foreach (ClaimedItem item in claimed)
                {
                    if (item.Attempts > maxAttempts)
                    {
                        AbandonPoisonItem(jobId, runId, item, now);
                        abandoned.Add(item.Key);
                    }
                    else
                    {
                        items.Add(item);
                    }
                }

                if (claimed.Count > 0)
                {
                    SqliteCommand counters = Bound(
                        "claim.counters",
                        "UPDATE jobs SET pending = pending - @fromPending, running = running + @fromPending - @abandoned, failed = failed + @abandoned, updated_ms = @now WHERE id = @job",
                        ("@fromPending", fromPending),
                        ("@abandoned", abandoned.Count),
                        ("@now", now),
                        ("@job", jobId));
                    counters.ExecuteNonQuery();
                    if (abandoned.Count > 0)
                    {
                        Execute("UPDATE runs SET failed = failed + @n WHERE id = @run", ("@n", abandoned.Count), ("@run", runId));
                    }
                }

                return new ClaimResult { Items = items, Abandoned = abandoned };
            })));
        }

        /// <summary>Takes over items whose lease ran out (their run died or hung). Rare, so simply done row by row.</summary>
        private void ReclaimExpired(long jobId, long runId, long token, long expires, long now, int n, List<ClaimedItem> into, ChosenKeys? only)
        {
            var expired = new List<ClaimedItem>();
            SqliteCommand find = Bound(
                "claim.expired" + ChosenKeys.NameSuffix(only),
                "SELECT id, key, payload, attempts FROM items WHERE job_id = @job AND status = 1 AND lease_expires_ms < @now" + ChosenKeys.Filter(only) + " ORDER BY id LIMIT @n",
                ("@job", jobId),
                ("@now", now),
                ("@n", n),
                ("@only", only?.Json));
            ReadItems(find, token, expired);

            foreach (ClaimedItem item in expired)
            {
                Execute(
                    "UPDATE items SET lease_run = @run, lease_token = @token, lease_expires_ms = @expires, attempts = attempts + 1, started_ms = @now WHERE id = @id",
                    ("@run", runId),
                    ("@token", token),
                    ("@expires", expires),
                    ("@now", now),
                    ("@id", item.Id));
                into.Add(item);
            }
        }

        /// <summary>
        /// Claims the first pending items in id order: one SELECT, then one UPDATE over their id range. Inside the
        /// write transaction the pending rows in that range are exactly the ones selected.
        /// </summary>
        private void ClaimPending(long jobId, long runId, long token, long expires, long now, int n, List<ClaimedItem> into, ChosenKeys? only)
        {
            SqliteCommand find = Bound(
                "claim.find" + ChosenKeys.NameSuffix(only),
                "SELECT id, key, payload, attempts FROM items WHERE job_id = @job AND status = 0" + ChosenKeys.Filter(only) + " ORDER BY id LIMIT @n",
                ("@job", jobId),
                ("@n", n),
                ("@only", only?.Json));
            int before = into.Count;
            ReadItems(find, token, into);
            if (into.Count == before)
            {
                return;
            }

            // Chosen items are not contiguous: the range is narrowed to them as the SELECT was.
            SqliteCommand take = Bound(
                "claim.take" + ChosenKeys.NameSuffix(only),
                "UPDATE items SET status = 1, lease_run = @run, lease_token = @token, lease_expires_ms = @expires, attempts = attempts + 1, started_ms = @now " +
                "WHERE job_id = @job AND status = 0 AND id BETWEEN @first AND @last" + ChosenKeys.Filter(only),
                ("@only", only?.Json),
                ("@run", runId),
                ("@token", token),
                ("@expires", expires),
                ("@now", now),
                ("@job", jobId),
                ("@first", into[before].Id),
                ("@last", into[into.Count - 1].Id));
            int changed = take.ExecuteNonQuery();
            if (changed != into.Count - before)
            {
                throw new InvalidOperationException($"Claimed {changed} rows for {into.Count - before} selected items; the store changed under the write lock.");
            }
        }

        private static void ReadItems(SqliteCommand cmd, long token, List<ClaimedItem> into)
        {
            using SqliteDataReader reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                into.Add(new ClaimedItem
                {
                    Id = reader.GetInt64(0),
                    Key = reader.GetString(1),
                    Payload = NullableString(reader, 2),
                    Attempts = reader.GetInt32(3) + 1, // this claim's attempt
                    LeaseToken = token,
                });
            }
        }

        private void AbandonPoisonItem(long jobId, long runId, ClaimedItem item, long now)
        {
            string message = string.Format(
                CultureInfo.InvariantCulture,
                "Given up after {0} starts that never finished: the run processing it was killed or crashed each time (out of memory?). Fix the cause, then Reset-BatchItem to try again.",
                item.Attempts - 1);
            Execute(
                "UPDATE items SET status = 3, attempts = attempts - 1, last_error = @error, finished_ms = @now, lease_token = NULL, lease_expires_ms = NULL WHERE id = @id",
                ("@error", message),
                ("@now", now),
                ("@id", item.Id));
            InsertError(jobId, runId, item.Key, item.Attempts - 1, now, "Abandoned", message);
        }

        public CommitResult Commit(RunCommit commit)
        {
            RequireWritable();
            if (commit.IsEmpty)
            {
                return new CommitResult(new bool[0]);
            }

            bool final = commit.Checkpoint?.Final == true;
            return Guarded(() => RunProfile.Time(RunProfile.Phase.StoreCommit, () => WriteMakingRoom(final, () =>
            {
                RequireRun(commit.RunId);
                long now = NowMs();
                // Retries first: an item's failed attempts always happen before its final outcome.
                foreach (ItemRetry retry in commit.Retries)
                {
                    SqliteCommand cmd = Bound(
                        "commit.retry",
                        "UPDATE items SET attempts = attempts + 1, last_error = @error WHERE id = @id AND lease_token = @token AND status = 1",
                        ("@error", retry.Error),
                        ("@id", retry.ItemId),
                        ("@token", retry.LeaseToken));
                    if (cmd.ExecuteNonQuery() == 1)
                    {
                        InsertError(commit.JobId, commit.RunId, retry.Key, retry.Attempt, now, retry.ErrorType, retry.Error, retry.ErrorDetail);
                    }
                }

                // Events worth a line in the error log that are not attempts (a rate limit that paused dispatch).
                foreach (ErrorNote note in commit.Notes)
                {
                    InsertError(commit.JobId, commit.RunId, note.Key, note.Attempt, now, note.ErrorType, note.Message);
                }

                var accepted = new bool[commit.Outcomes.Count];
                RecordOutcomes(commit.Outcomes, now, accepted);

                long succeeded = 0, failed = 0, released = 0;
                for (int i = 0; i < commit.Outcomes.Count; i++)
                {
                    ItemOutcome outcome = commit.Outcomes[i];
                    if (!accepted[i])
                    {
                        continue;
                    }

                    switch (outcome.Kind)
                    {
                        case OutcomeKind.Succeeded:
                            succeeded++;
                            break;
                        case OutcomeKind.Failed:
                            failed++;
                            InsertError(commit.JobId, commit.RunId, outcome.Key, outcome.Attempt, now, outcome.ErrorType, outcome.Error, outcome.ErrorDetail);
                            break;
                        default:
                            released++;
                            break;
                    }
                }

                foreach (BatchRecord batch in commit.Batches)
                {
                    SqliteCommand cmd = Bound(
                        "commit.batch",
                        "INSERT INTO batches (run_id, number, items, succeeded, failed, released, started_ms, completed_ms) VALUES (@run, @number, @items, @succeeded, @failed, @released, @started, @completed)",
                        ("@run", commit.RunId),
                        ("@number", batch.Number),
                        ("@items", batch.Items),
                        ("@succeeded", batch.Succeeded),
                        ("@failed", batch.Failed),
                        ("@released", batch.Released),
                        ("@started", batch.StartedMs),
                        ("@completed", batch.CompletedMs));
                    cmd.ExecuteNonQuery();
                }

                if (succeeded + failed + released > 0)
                {
                    SqliteCommand counters = Bound(
                        "commit.counters",
                        "UPDATE jobs SET pending = pending + @released, running = running - @finished, succeeded = succeeded + @succeeded, failed = failed + @failed, updated_ms = @now WHERE id = @job",
                        ("@released", released),
                        ("@finished", succeeded + failed + released),
                        ("@succeeded", succeeded),
                        ("@failed", failed),
                        ("@now", now),
                        ("@job", commit.JobId));
                    counters.ExecuteNonQuery();
                }

                // The run's counters, and its checkpoint when the runner sends one, in one statement.
                RunCheckpointUpdate? checkpoint = commit.Checkpoint;
                SqliteCommand run = Bound(
                    "commit.run",
                    "UPDATE runs SET succeeded = succeeded + @succeeded, failed = failed + @failed, released = released + @released, updated_ms = @now, heartbeat_ms = @now, " +
                    "last_progress_ms = CASE WHEN @succeeded + @failed > 0 THEN @now ELSE last_progress_ms END, " +
                    "state = COALESCE(@state, state), stop_reason = COALESCE(@reason, stop_reason), batches_started = COALESCE(@started, batches_started), " +
                    "batches_completed = COALESCE(@completed, batches_completed), claimed = COALESCE(@claimed, claimed), message = COALESCE(@message, message), " +
                    "ended_ms = CASE WHEN @final = 1 THEN @now ELSE ended_ms END WHERE id = @run",
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
                    ("@run", commit.RunId));
                run.ExecuteNonQuery();
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
                    cmd = Prepared(
                        "commit.finish",
                        "UPDATE items SET status = @status, result = @result, last_error = @error, started_ms = COALESCE(@started, started_ms), finished_ms = @finished, duration_ms = @duration, finished_batch = @batch, lease_token = NULL, lease_expires_ms = NULL " +
                        "WHERE id = @id AND lease_token = @token AND status = 1",
                        "@status", "@result", "@error", "@started", "@finished", "@duration", "@batch", "@id", "@token");
                    Set(cmd, "@status", outcome.Kind == OutcomeKind.Succeeded ? (int)ItemStatus.Succeeded : (int)ItemStatus.Failed);
                    Set(cmd, "@result", outcome.Result);
                    Set(cmd, "@error", outcome.Kind == OutcomeKind.Failed ? outcome.Error : null);
                    Set(cmd, "@started", outcome.StartedMs);
                    Set(cmd, "@finished", outcome.FinishedMs ?? now);
                    Set(cmd, "@duration", outcome.DurationMs);
                    Set(cmd, "@batch", outcome.Batch);
                    break;
                default:
                    cmd = Prepared(
                        "commit.release",
                        "UPDATE items SET status = 0, attempts = attempts - @undo, started_ms = NULL, lease_token = NULL, lease_expires_ms = NULL " +
                        "WHERE id = @id AND lease_token = @token AND status = 1",
                        "@undo", "@id", "@token");
                    Set(cmd, "@undo", outcome.UndoAttempt ? 1 : 0);
                    break;
            }

            Set(cmd, "@id", outcome.ItemId);
            Set(cmd, "@token", outcome.LeaseToken);
            return cmd.ExecuteNonQuery() == 1;
        }

        private void InsertError(long jobId, long runId, string key, int attempt, long now, string? type, string? message, string? detail = null)
        {
            SqliteCommand cmd = Bound(
                "errors.insert",
                "INSERT INTO errors (job_id, run_id, item_key, attempt, time_ms, error_type, message, detail) VALUES (@job, @run, @key, @attempt, @now, @type, @message, @detail)",
                ("@detail", detail),
                ("@job", jobId),
                ("@run", runId),
                ("@key", key),
                ("@attempt", attempt),
                ("@now", now),
                ("@type", type),
                ("@message", message));
            cmd.ExecuteNonQuery();
        }

        /// <summary>
        /// Refuses to record for a run whose record is gone: its job was removed or cleared by force while it ran.
        /// Without this the run's next write broke a foreign key ("SQLite Error 19") and the run crashed.
        /// </summary>
        private void RequireRun(long runId)
        {
            if (ScalarLong("SELECT COUNT(*) FROM runs WHERE id = @run", ("@run", runId)) == 0)
            {
                throw new BatchOpsException(
                    ErrorIds.JobRemoved,
                    BatchOpsErrorCategory.OperationStopped,
                    "The job was removed or cleared while this run was processing it, so the run stopped; the outcomes of the items it had in flight were not recorded.",
                    runId);
            }
        }

        public bool RenewLeases(long jobId, long runId, long leaseExpiresMs)
        {
            RequireWritable();
            return Guarded(() => WriteTransaction(() =>
            {
                RequireRun(runId);
                long now = NowMs();
                Execute(
                    "UPDATE items SET lease_expires_ms = @expires WHERE job_id = @job AND status = 1 AND lease_run = @run AND lease_token IS NOT NULL",
                    ("@expires", leaseExpiresMs),
                    ("@job", jobId),
                    ("@run", runId));
                return ScalarLong("UPDATE runs SET heartbeat_ms = @now WHERE id = @run RETURNING stop_requested", ("@now", now), ("@run", runId)) != 0;
            }));
        }

        public bool RequestStop(long runId)
        {
            RequireWritable();
            return Guarded(() => WriteTransaction(() =>
                Execute("UPDATE runs SET stop_requested = 1 WHERE id = @run AND state = @running", ("@run", runId), ("@running", RunState.Running.ToString())) > 0));
        }

        public bool RequestSuspend(long runId, bool suspend)
        {
            RequireWritable();
            return Guarded(() => WriteTransaction(() =>
                Execute("UPDATE runs SET suspend_requested = @suspend WHERE id = @run AND state = @running", ("@suspend", suspend ? 1 : 0), ("@run", runId), ("@running", RunState.Running.ToString())) > 0));
        }

        public RunSignals ReadSignals(long runId) => Guarded(() =>
        {
            SqliteCommand cmd = Bound(
                "run.signals",
                "SELECT r.stop_requested, r.suspend_requested, j.pending FROM runs r JOIN jobs j ON j.id = r.job_id WHERE r.id = @run",
                ("@run", runId));
            using var reader = cmd.ExecuteReader();
            return reader.Read()
                ? new RunSignals(reader.GetInt64(0) != 0, reader.GetInt64(1) != 0, reader.GetInt64(2))
                : new RunSignals(false, false, 0);
        });

        public void SetRunActivity(long runId, RunActivity activity, string? reason)
        {
            RequireWritable();
            Guarded(() => WriteTransaction(() =>
                Execute(
                    "UPDATE runs SET activity = @activity, activity_reason = @reason, activity_ms = @now, updated_ms = @now WHERE id = @run",
                    ("@activity", activity.ToString()),
                    ("@reason", reason),
                    ("@now", NowMs()),
                    ("@run", runId))));
        }

        public void RecordRunBackup(long runId, string backupName)
        {
            RequireWritable();
            Guarded(() => WriteTransaction(() =>
                Execute(
                    "UPDATE runs SET last_backup = @name, last_backup_ms = @now, updated_ms = @now WHERE id = @run",
                    ("@name", backupName),
                    ("@now", NowMs()),
                    ("@run", runId))));
        }

        public BatchCheckpoint? GetCheckpoint(BatchJob job) => Guarded(() =>
        {
            using var cmd = Command(
                "SELECT r.id, r.state, r.stop_reason, r.started_ms, r.updated_ms, r.ended_ms, r.batches_started, r.batches_completed, r.succeeded, r.failed, " +
                "r.host, r.pid, r.user_name, r.options, r.message, j.total, j.pending, j.running, j.succeeded, j.failed, " +
                "r.activity, r.activity_reason, r.last_progress_ms, r.suspend_requested, b.last_backup, b.last_backup_ms, r.process_started_ms, r.heartbeat_ms " +
                "FROM runs r JOIN jobs j ON j.id = r.job_id " +
                // The job's newest backup, whichever run took it.
                "LEFT JOIN (SELECT last_backup, last_backup_ms FROM runs WHERE job_id = @job AND last_backup IS NOT NULL ORDER BY last_backup_ms DESC LIMIT 1) b ON 1 " +
                // The newest run that did work (or is running): a resume that found nothing to do does not hide it.
                "WHERE r.job_id = @job ORDER BY (r.state = @running OR r.claimed > 0) DESC, r.id DESC LIMIT 1",
                ("@job", job.Id),
                ("@running", RunState.Running.ToString()));
            using var reader = cmd.ExecuteReader();
            if (!reader.Read())
            {
                return null;
            }

            RunState state = ParseState(reader.GetString(1));
            int? processId = NullableLong(reader, 11) is long pid ? (int)pid : (int?)null;
            string? host = NullableString(reader, 10);
            bool abandoned = Shown(state, new RunRecord { Host = host, ProcessId = processId, ProcessStartedMs = NullableLong(reader, 26), HeartbeatMs = reader.GetInt64(27) }, NowMs()) == RunState.Abandoned;
            return new BatchCheckpoint
            {
                Job = job.Name,
                RunId = reader.GetInt64(0),
                State = abandoned ? RunState.Abandoned : state,
                StopReason = ParseReason(reader.GetString(2)),
                Started = Times.Local(reader.GetInt64(3)),
                LastUpdated = Times.Local(reader.GetInt64(4)),
                Ended = Times.Local(NullableLong(reader, 5)),
                CurrentBatch = reader.GetInt64(6),
                BatchesCompleted = reader.GetInt64(7),
                RunSucceeded = reader.GetInt64(8),
                RunFailed = reader.GetInt64(9),
                Host = host,
                ProcessId = processId,
                User = NullableString(reader, 12),
                Options = NullableString(reader, 13),
                Message = abandoned
                    ? $"The run's process {processId} on this machine is gone without a final checkpoint; the next run takes its items back."
                    : NullableString(reader, 14),
                Total = reader.GetInt64(15),
                Remaining = reader.GetInt64(16) + reader.GetInt64(17),
                Completed = reader.GetInt64(18),
                Failed = reader.GetInt64(19),
                Activity = state != RunState.Running || abandoned ? RunActivity.Ended
                    : Enum.TryParse(reader.GetString(20), out RunActivity activity) ? activity : RunActivity.Processing,
                ActivityReason = state != RunState.Running || abandoned ? null : NullableString(reader, 21),
                LastProgress = Times.Local(NullableLong(reader, 22)),
                SuspendRequested = reader.GetInt64(23) != 0,
                LastBackup = NullableString(reader, 24),
                LastBackupTime = Times.Local(NullableLong(reader, 25)),
                Store = Location,
            };
        });

        private long NextToken()
        {
            var bytes = new byte[8];
            _tokens.NextBytes(bytes);
            return BitConverter.ToInt64(bytes, 0) & long.MaxValue;
        }

        private static RunState ParseState(string text) => Enum.TryParse(text, out RunState state) ? state : RunState.Failed;

        private static StopReason ParseReason(string text) => Enum.TryParse(text, out StopReason reason) ? reason : StopReason.None;
    }
}
