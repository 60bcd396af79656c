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
                    RunLedgerSql.StartRun,
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
                        RunLedgerSql.MarkCrashed,
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

                    returned += _s.Execute(RunLedgerSql.ReturnLeased, ("@job", jobId), ("@run", runId));
                }

                if (returned > 0)
                {
                    _s.Execute(RunLedgerSql.JobReturned, ("@n", returned), ("@now", now), ("@job", jobId));
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
                _s.Execute(RunLedgerSql.Renew, ("@expires", leaseExpiresMs), ("@job", jobId), ("@run", runId));
                return _s.ScalarLong(RunLedgerSql.Heartbeat, ("@now", now), ("@run", runId)) != 0;
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
            _s.Guarded(() => _s.Write(() =>
                _s.Execute(
                    RunLedgerSql.SetActivity,
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
                    RunLedgerSql.RecordBackup,
                    ("@name", backupName),
                    ("@now", _s.NowMs()),
                    ("@run", runId))));
        }

        public BatchCheckpoint? GetCheckpoint(BatchJob job) => _s.Guarded(() =>
        {
            using var cmd = _s.Command(
                RunLedgerSql.Checkpoint,
                ("@job", job.Id),
                ("@running", Running));
            using var reader = cmd.ExecuteReader();
            return reader.Read() ? CheckpointRows.Read(reader, job, _s.Location, _s.NowMs()) : null;
        });
    }
}
