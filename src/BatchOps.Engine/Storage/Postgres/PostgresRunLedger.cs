using System.Collections.Generic;
using Npgsql;

namespace BatchOps.Engine.Storage.Postgres
{
    /// <summary>
    /// The run ledger of a PostgreSQL store: runs and their checkpoints, claims (<see cref="PostgresClaims"/>), commits
    /// (<see cref="PostgresCommits"/>), leases and the stop and suspend signals, with the same outcomes as
    /// <see cref="SqliteRunLedger"/> (the statements both share are <see cref="RunLedgerSql"/>). Times are the server's
    /// (<see cref="PostgresSession.NowMs"/>); a stop or suspend request notifies the job's channel, so that runs on
    /// other hosts can wake at once.
    /// </summary>
    internal sealed class PostgresRunLedger : IRunLedger
    {
        private static readonly string Running = RunState.Running.ToString();

        private readonly PostgresSession _s;
        private readonly PostgresClaims _claims;
        private readonly PostgresCommits _commits;

        public PostgresRunLedger(PostgresSession session, PostgresErrorLog errors)
        {
            _s = session;
            _claims = new PostgresClaims(session, errors);
            _commits = new PostgresCommits(session, errors);
        }

        public long StartRun(long jobId, RunStart start)
        {
            _s.RequireWritable();
            return _s.Guarded(() => _s.Write(() =>
            {
                long now = _s.NowMs();
                return _s.ScalarLong(
                    RunLedgerSql.StartRun,
                    ("job", jobId),
                    ("state", Running),
                    ("host", start.Host),
                    ("pid", start.ProcessId),
                    ("pstart", start.ProcessStartedMs),
                    ("user", start.User),
                    ("options", start.OptionsJson),
                    ("now", now));
            }));
        }

        public IReadOnlyList<RunRecord> GetActiveRuns(long jobId) => _s.Guarded(() =>
        {
            var runs = new List<RunRecord>();
            using NpgsqlCommand cmd = _s.Command(
                "SELECT " + RunRows.RecordColumns + " FROM runs WHERE job_id = @job AND state = @state ORDER BY id",
                ("job", jobId),
                ("state", Running));
            using NpgsqlDataReader reader = cmd.ExecuteReader();
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
                        RunLedgerSql.MarkCrashed,
                        ("crashed", RunState.Crashed.ToString()),
                        ("reason", StopReason.Error.ToString()),
                        ("now", now),
                        ("message", message),
                        ("run", runId),
                        ("running", Running));
                    if (marked == 0)
                    {
                        continue; // somebody else (maybe on another host) noticed first
                    }

                    returned += _s.Execute(RunLedgerSql.ReturnLeased, ("job", jobId), ("run", runId));
                }

                if (returned > 0)
                {
                    _s.Execute(RunLedgerSql.JobReturned, ("n", returned), ("now", now), ("job", jobId));
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
                _s.Execute(RunLedgerSql.Renew, ("expires", leaseExpiresMs), ("job", jobId), ("run", runId));
                return _s.ScalarLong(RunLedgerSql.Heartbeat, ("now", now), ("run", runId)) != 0;
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
            _s.Guarded(() => _s.Write(() =>
                _s.Execute(RunLedgerSql.SetActivity, ("activity", activity.ToString()), ("reason", reason), ("now", _s.NowMs()), ("run", runId))));
        }

        public void RecordRunBackup(long runId, string backupName)
        {
            _s.RequireWritable();
            _s.Guarded(() => _s.Write(() =>
                _s.Execute(RunLedgerSql.RecordBackup, ("name", backupName), ("now", _s.NowMs()), ("run", runId))));
        }

        public BatchCheckpoint? GetCheckpoint(BatchJob job) => _s.Guarded(() =>
        {
            using NpgsqlCommand cmd = _s.Command(RunLedgerSql.Checkpoint, ("job", job.Id), ("running", Running));
            using NpgsqlDataReader reader = cmd.ExecuteReader();
            return reader.Read() ? CheckpointRows.Read(reader, job, _s.Location, _s.NowMs()) : null;
        });

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
