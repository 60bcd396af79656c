using System;
using System.Data.Common;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// Reads a checkpoint (the columns of <see cref="RunLedgerSql.CheckpointColumns"/>) on either backend: a running run
    /// whose process is gone is shown Abandoned, an ended run has no activity.
    /// </summary>
    internal static class CheckpointRows
    {
        public static BatchCheckpoint Read(DbDataReader reader, BatchJob job, string location, long nowMs)
        {
            RunState state = SqliteRunRows.ParseState(reader.GetString(1));
            int? processId = SqliteRunRows.NullableLong(reader, 11) is long pid ? (int)pid : (int?)null;
            string? host = SqliteRunRows.NullableString(reader, 10);
            var record = new RunRecord { Host = host, ProcessId = processId, ProcessStartedMs = SqliteRunRows.NullableLong(reader, 26), HeartbeatMs = SqliteRunRows.Long(reader, 27) };
            bool abandoned = SqliteRunRows.Shown(state, record, nowMs) == RunState.Abandoned;
            return new BatchCheckpoint
            {
                Job = job.Name,
                RunId = SqliteRunRows.Long(reader, 0),
                State = abandoned ? RunState.Abandoned : state,
                StopReason = SqliteRunRows.ParseReason(reader.GetString(2)),
                Started = Times.Local(SqliteRunRows.Long(reader, 3)),
                LastUpdated = Times.Local(SqliteRunRows.Long(reader, 4)),
                Ended = Times.Local(SqliteRunRows.NullableLong(reader, 5)),
                CurrentBatch = SqliteRunRows.Long(reader, 6),
                BatchesCompleted = SqliteRunRows.Long(reader, 7),
                RunSucceeded = SqliteRunRows.Long(reader, 8),
                RunFailed = SqliteRunRows.Long(reader, 9),
                Host = host,
                ProcessId = processId,
                User = SqliteRunRows.NullableString(reader, 12),
                Options = SqliteRunRows.NullableString(reader, 13),
                Message = abandoned
                    ? $"The run's process {processId} on this machine is gone without a final checkpoint; the next run takes its items back."
                    : SqliteRunRows.NullableString(reader, 14),
                Total = SqliteRunRows.Long(reader, 15),
                Remaining = SqliteRunRows.Long(reader, 16) + SqliteRunRows.Long(reader, 17),
                Completed = SqliteRunRows.Long(reader, 18),
                Failed = SqliteRunRows.Long(reader, 19),
                Activity = state != RunState.Running || abandoned ? RunActivity.Ended
                    : Enum.TryParse(reader.GetString(20), out RunActivity activity) ? activity : RunActivity.Processing,
                ActivityReason = state != RunState.Running || abandoned ? null : SqliteRunRows.NullableString(reader, 21),
                LastProgress = Times.Local(SqliteRunRows.NullableLong(reader, 22)),
                SuspendRequested = SqliteRunRows.Long(reader, 23) != 0,
                LastBackup = SqliteRunRows.NullableString(reader, 24),
                LastBackupTime = Times.Local(SqliteRunRows.NullableLong(reader, 25)),
                Store = location,
            };
        }
    }
}
