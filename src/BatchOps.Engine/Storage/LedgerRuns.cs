using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// The runs part of the run ledger, the same on both backends: starting a run, finding the running ones, marking
    /// dead ones crashed and taking their items back, renewing leases, activity, backups and the checkpoint. The
    /// backend's ledger holds the lock and the write transaction around each call, and adds what only it needs.
    /// </summary>
    internal sealed class LedgerRuns
    {
        private static readonly string Running = RunState.Running.ToString();

        private readonly StoreSql _sql;

        public LedgerRuns(StoreSql sql) => _sql = sql;

        public long Start(long jobId, RunStart start) =>
            Convert.ToInt64(
                _sql.Scalar(
                    RunLedgerSql.StartRun,
                    ("job", jobId),
                    ("state", Running),
                    ("host", start.Host),
                    ("pid", start.ProcessId),
                    ("pstart", start.ProcessStartedMs),
                    ("user", start.User),
                    ("options", start.OptionsJson),
                    ("now", _sql.NowMs())),
                CultureInfo.InvariantCulture);

        public IReadOnlyList<RunRecord> Active(long jobId) =>
            _sql.Rows("SELECT " + RunRows.RecordColumns + " FROM runs WHERE job_id = @job AND state = @state ORDER BY id", RunRows.ReadRecord, ("job", jobId), ("state", Running));

        /// <summary>
        /// Marks the runs still running crashed and returns their leased items to pending (the attempt they counted
        /// stays counted). A run somebody else marked first is skipped. Returns the items returned.
        /// </summary>
        public long Abandon(long jobId, IReadOnlyList<long> runIds, string message)
        {
            long now = _sql.NowMs();
            long returned = 0;
            foreach (long runId in runIds)
            {
                int marked = _sql.Execute(
                    RunLedgerSql.MarkCrashed,
                    ("crashed", RunState.Crashed.ToString()),
                    ("reason", StopReason.Error.ToString()),
                    ("now", now),
                    ("message", message),
                    ("run", runId),
                    ("running", Running));
                if (marked > 0)
                {
                    returned += _sql.Execute(RunLedgerSql.ReturnLeased, ("job", jobId), ("run", runId));
                }
            }

            if (returned > 0)
            {
                _sql.Execute(RunLedgerSql.JobReturned, ("n", returned), ("now", now), ("job", jobId));
            }

            return returned;
        }

        /// <summary>Extends the run's leases and beats its heartbeat. Returns whether a stop was requested.</summary>
        public bool Renew(long jobId, long runId, long leaseExpiresMs)
        {
            long now = _sql.NowMs();
            _sql.Execute(RunLedgerSql.Renew, ("expires", leaseExpiresMs), ("job", jobId), ("run", runId));
            return Convert.ToInt64(_sql.Scalar(RunLedgerSql.Heartbeat, ("now", now), ("run", runId)) ?? 0L, CultureInfo.InvariantCulture) != 0;
        }

        /// <summary>
        /// Refuses to record for a run whose record is gone: its job was removed or cleared by force while it ran.
        /// Without this the run's next write broke a foreign key and the run crashed. Called in the write transaction.
        /// </summary>
        public static void RequireRun(StoreSql sql, long runId)
        {
            if (Convert.ToInt64(sql.Scalar(RunLedgerSql.RunExists, ("run", runId)) ?? 0L, CultureInfo.InvariantCulture) == 0)
            {
                throw new BatchOpsException(
                    ErrorIds.JobRemoved,
                    BatchOpsErrorCategory.OperationStopped,
                    "The job was removed or cleared while this run was processing it, so the run stopped; the outcomes of the items it had in flight were not recorded.",
                    runId);
            }
        }

        public void SetActivity(long runId, RunActivity activity, string? reason) =>
            _sql.Execute(RunLedgerSql.SetActivity, ("activity", activity.ToString()), ("reason", reason), ("now", _sql.NowMs()), ("run", runId));

        public void RecordBackup(long runId, string backupName) =>
            _sql.Execute(RunLedgerSql.RecordBackup, ("name", backupName), ("now", _sql.NowMs()), ("run", runId));

        public BatchCheckpoint? Checkpoint(BatchJob job)
        {
            long now = _sql.NowMs();
            return _sql.Rows(RunLedgerSql.Checkpoint, r => CheckpointRows.Read(r, job, _sql.Location, now), ("job", job.Id), ("running", Running)).FirstOrDefault();
        }
    }
}
