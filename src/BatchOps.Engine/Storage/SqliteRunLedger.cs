using System;
using System.Collections.Generic;
using Microsoft.Data.Sqlite;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// The run ledger of a SQLite store: runs and their checkpoints, claims (<see cref="SqliteClaims"/>), commits
    /// (<see cref="SqliteCommits"/>), leases and the stop and suspend signals: the part of the store a runner uses
    /// while it works.
    /// </summary>
    internal sealed class SqliteRunLedger : IRunLedger
    {
        private static readonly string ReturnLeasedSql =
            "UPDATE items SET status = " + ItemStatusSql.Pending + ", lease_token = NULL, lease_expires_ms = NULL WHERE job_id = @job AND status = " + ItemStatusSql.Running + " AND lease_run = @run";

        private static readonly string RenewSql =
            "UPDATE items SET lease_expires_ms = @expires WHERE job_id = @job AND status = " + ItemStatusSql.Running + " AND lease_run = @run AND lease_token IS NOT NULL";

        private static readonly string Running = RunState.Running.ToString();

        private readonly SqliteSession _s;
        private readonly SqliteClaims _claims;
        private readonly SqliteCommits _commits;

        public SqliteRunLedger(SqliteSession session, SqliteErrorLog errors)
        {
            _s = session;
            _claims = new SqliteClaims(session, errors);
            _commits = new SqliteCommits(session, errors);
        }

        public long StartRun(long jobId, RunStart start)
        {
            _s.RequireWritable();
            StoreReserve.Ensure(_s.Location); // room for this run's final checkpoint should the disk fill up
            return _s.Guarded(() => _s.Write(() =>
            {
                long now = _s.NowMs();
                return _s.ScalarLong(
                    "INSERT INTO runs (job_id, state, stop_reason, host, pid, process_started_ms, user_name, options, started_ms, updated_ms, heartbeat_ms) " +
                    "VALUES (@job, @state, 'None', @host, @pid, @pstart, @user, @options, @now, @now, @now) RETURNING id",
                    ("@job", jobId),
                    ("@state", Running),
                    ("@host", start.Host),
                    ("@pid", start.ProcessId),
                    ("@pstart", start.ProcessStartedMs),
                    ("@user", start.User),
                    ("@options", start.OptionsJson),
                    ("@now", now));
            }));
        }

        public IReadOnlyList<RunRecord> GetActiveRuns(long jobId) => _s.Guarded(() =>
        {
            var runs = new List<RunRecord>();
            using var cmd = _s.Command(
                "SELECT " + RunRows.RecordColumns + " FROM runs WHERE job_id = @job AND state = @state ORDER BY id",
                ("@job", jobId),
                ("@state", Running));
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                runs.Add(RunRows.ReadRecord(reader));
            }

            return (IReadOnlyList<RunRecord>)runs;
        });

        public long AbandonRuns(long jobId, IReadOnlyList<long> runIds, string message)
        {
            _s.RequireWritable();
            if (runIds.Count == 0)
            {
                return 0;
            }

            return _s.Guarded(() => _s.Write(() =>
            {
                long now = _s.NowMs();
                long returned = 0;
                foreach (long runId in runIds)
                {
                    int marked = _s.Execute(
                        "UPDATE runs SET state = @crashed, stop_reason = @reason, ended_ms = @now, updated_ms = @now, message = @message WHERE id = @run AND state = @running",
                        ("@crashed", RunState.Crashed.ToString()),
                        ("@reason", StopReason.Error.ToString()),
                        ("@now", now),
                        ("@message", message),
                        ("@run", runId),
                        ("@running", Running));
                    if (marked == 0)
                    {
                        continue; // somebody else noticed first
                    }

                    // The attempt the dead run counted stays counted: an item that kills every run that starts it
                    // must reach the retry limit and be failed, not loop forever.
                    returned += _s.Execute(ReturnLeasedSql, ("@job", jobId), ("@run", runId));
                }

                if (returned > 0)
                {
                    _s.Execute("UPDATE jobs SET pending = pending + @n, running = running - @n, updated_ms = @now WHERE id = @job", ("@n", returned), ("@now", now), ("@job", jobId));
                }

                return returned;
            }));
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
                long now = _s.NowMs();
                _s.Execute(RenewSql, ("@expires", leaseExpiresMs), ("@job", jobId), ("@run", runId));
                return _s.ScalarLong("UPDATE runs SET heartbeat_ms = @now WHERE id = @run RETURNING stop_requested", ("@now", now), ("@run", runId)) != 0;
            }));
        }

        public bool RequestStop(long runId)
        {
            _s.RequireWritable();
            return _s.Guarded(() => _s.Write(() =>
                _s.Execute("UPDATE runs SET stop_requested = 1 WHERE id = @run AND state = @running", ("@run", runId), ("@running", Running)) > 0));
        }

        public bool RequestSuspend(long runId, bool suspend)
        {
            _s.RequireWritable();
            return _s.Guarded(() => _s.Write(() =>
                _s.Execute("UPDATE runs SET suspend_requested = @suspend WHERE id = @run AND state = @running", ("@suspend", suspend ? 1 : 0), ("@run", runId), ("@running", Running)) > 0));
        }

        public RunSignals ReadSignals(long runId) => _s.Guarded(() =>
        {
            SqliteCommand cmd = _s.Cached(
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
            _s.RequireWritable();
            _s.Guarded(() => _s.Write(() =>
                _s.Execute(
                    "UPDATE runs SET activity = @activity, activity_reason = @reason, activity_ms = @now, updated_ms = @now WHERE id = @run",
                    ("@activity", activity.ToString()),
                    ("@reason", reason),
                    ("@now", _s.NowMs()),
                    ("@run", runId))));
        }

        public void RecordRunBackup(long runId, string backupName)
        {
            _s.RequireWritable();
            _s.Guarded(() => _s.Write(() =>
                _s.Execute(
                    "UPDATE runs SET last_backup = @name, last_backup_ms = @now, updated_ms = @now WHERE id = @run",
                    ("@name", backupName),
                    ("@now", _s.NowMs()),
                    ("@run", runId))));
        }

        public BatchCheckpoint? GetCheckpoint(BatchJob job) => _s.Guarded(() =>
        {
            using var cmd = _s.Command(
                "SELECT r.id, r.state, r.stop_reason, r.started_ms, r.updated_ms, r.ended_ms, r.batches_started, r.batches_completed, r.succeeded, r.failed, " +
                "r.host, r.pid, r.user_name, r.options, r.message, j.total, j.pending, j.running, j.succeeded, j.failed, " +
                "r.activity, r.activity_reason, r.last_progress_ms, r.suspend_requested, b.last_backup, b.last_backup_ms, r.process_started_ms, r.heartbeat_ms " +
                "FROM runs r JOIN jobs j ON j.id = r.job_id " +
                // The job's newest backup, whichever run took it.
                "LEFT JOIN (SELECT last_backup, last_backup_ms FROM runs WHERE job_id = @job AND last_backup IS NOT NULL ORDER BY last_backup_ms DESC LIMIT 1) b ON 1 " +
                // The newest run that did work (or is running): a resume that found nothing to do does not hide it.
                "WHERE r.job_id = @job ORDER BY (r.state = @running OR r.claimed > 0) DESC, r.id DESC LIMIT 1",
                ("@job", job.Id),
                ("@running", Running));
            using var reader = cmd.ExecuteReader();
            return reader.Read() ? ReadCheckpoint(reader, job) : null;
        });

        private BatchCheckpoint ReadCheckpoint(SqliteDataReader reader, BatchJob job)
        {
            RunState state = RunRows.ParseState(reader.GetString(1));
            int? processId = SqliteSession.NullableLong(reader, 11) is long pid ? (int)pid : (int?)null;
            string? host = SqliteSession.NullableString(reader, 10);
            var record = new RunRecord { Host = host, ProcessId = processId, ProcessStartedMs = SqliteSession.NullableLong(reader, 26), HeartbeatMs = reader.GetInt64(27) };
            bool abandoned = RunRows.Shown(state, record, _s.NowMs()) == RunState.Abandoned;
            return new BatchCheckpoint
            {
                Job = job.Name,
                RunId = reader.GetInt64(0),
                State = abandoned ? RunState.Abandoned : state,
                StopReason = RunRows.ParseReason(reader.GetString(2)),
                Started = Times.Local(reader.GetInt64(3)),
                LastUpdated = Times.Local(reader.GetInt64(4)),
                Ended = Times.Local(SqliteSession.NullableLong(reader, 5)),
                CurrentBatch = reader.GetInt64(6),
                BatchesCompleted = reader.GetInt64(7),
                RunSucceeded = reader.GetInt64(8),
                RunFailed = reader.GetInt64(9),
                Host = host,
                ProcessId = processId,
                User = SqliteSession.NullableString(reader, 12),
                Options = SqliteSession.NullableString(reader, 13),
                Message = abandoned
                    ? $"The run's process {processId} on this machine is gone without a final checkpoint; the next run takes its items back."
                    : SqliteSession.NullableString(reader, 14),
                Total = reader.GetInt64(15),
                Remaining = reader.GetInt64(16) + reader.GetInt64(17),
                Completed = reader.GetInt64(18),
                Failed = reader.GetInt64(19),
                Activity = state != RunState.Running || abandoned ? RunActivity.Ended
                    : Enum.TryParse(reader.GetString(20), out RunActivity activity) ? activity : RunActivity.Processing,
                ActivityReason = state != RunState.Running || abandoned ? null : SqliteSession.NullableString(reader, 21),
                LastProgress = Times.Local(SqliteSession.NullableLong(reader, 22)),
                SuspendRequested = reader.GetInt64(23) != 0,
                LastBackup = SqliteSession.NullableString(reader, 24),
                LastBackupTime = Times.Local(SqliteSession.NullableLong(reader, 25)),
                Store = _s.Location,
            };
        }
    }
}
