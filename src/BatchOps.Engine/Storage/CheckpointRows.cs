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
            RunState state = RunRows.ParseState(reader.GetString(1));
            int? processId = StoreRows.NullableLong(reader, 11) is long pid ? (int)pid : (int?)null;
            string? host = StoreRows.NullableString(reader, 10);
            var record = new RunRecord { Host = host, ProcessId = processId, ProcessStartedMs = StoreRows.NullableLong(reader, 26), HeartbeatMs = StoreRows.Long(reader, 27) };
            bool abandoned = RunRows.Shown(state, record, nowMs) == RunState.Abandoned;
            return new BatchCheckpoint
            {
                Job = job.Name,
                RunId = StoreRows.Long(reader, 0),
                State = abandoned ? RunState.Abandoned : state,
                StopReason = RunRows.ParseReason(reader.GetString(2)),
                Started = Times.Local(StoreRows.Long(reader, 3)),
                LastUpdated = Times.Local(StoreRows.Long(reader, 4)),
                Ended = Times.Local(StoreRows.NullableLong(reader, 5)),
                CurrentBatch = StoreRows.Long(reader, 6),
                BatchesCompleted = StoreRows.Long(reader, 7),
                RunSucceeded = StoreRows.Long(reader, 8),
                RunFailed = StoreRows.Long(reader, 9),
                Host = host,
                ProcessId = processId,
                User = StoreRows.NullableString(reader, 12),
                Options = StoreRows.NullableString(reader, 13),
                Message = abandoned
                    ? $"The run's process {processId} on this machine is gone without a final checkpoint; the next run takes its items back."
                    : StoreRows.NullableString(reader, 14),
                Total = StoreRows.Long(reader, 15),
                Remaining = StoreRows.Long(reader, 16) + StoreRows.Long(reader, 17),
                Completed = StoreRows.Long(reader, 18),
                Failed = StoreRows.Long(reader, 19),
                Activity = state != RunState.Running || abandoned ? RunActivity.Ended
                    : Enum.TryParse(reader.GetString(20), out RunActivity activity) ? activity : RunActivity.Processing,
                ActivityReason = state != RunState.Running || abandoned ? null : StoreRows.NullableString(reader, 21),
                LastProgress = Times.Local(StoreRows.NullableLong(reader, 22)),
                SuspendRequested = StoreRows.Long(reader, 23) != 0,
                LastBackup = StoreRows.NullableString(reader, 24),
                LastBackupTime = Times.Local(StoreRows.NullableLong(reader, 25)),
                Store = location,
            };
        }
    }
}
