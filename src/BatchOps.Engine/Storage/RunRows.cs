using System;
using BatchOps.Engine.Running;
using System.Data.Common;
using BatchOps.Engine.Platform;

namespace BatchOps.Engine.Storage
{
    /// <summary>Reading rows of the runs table (on either backend): the columns that say whose a run is, and its state and stop reason.</summary>
    internal static class RunRows
    {
        /// <summary>The columns <see cref="ReadRecord"/> reads, first in every SELECT of runs that uses it.</summary>
        public const string RecordColumns = "id, job_id, state, host, pid, process_started_ms, heartbeat_ms, started_ms";

        /// <summary>The number of <see cref="RecordColumns"/>: the ordinal of the first column after them.</summary>
        public const int RecordColumnCount = 8;

        public static RunRecord ReadRecord(DbDataReader reader) => new RunRecord
        {
            Id = StoreRows.Long(reader, 0),
            JobId = StoreRows.Long(reader, 1),
            State = ParseState(reader.GetString(2)),
            Host = StoreRows.NullableString(reader, 3),
            ProcessId = StoreRows.NullableLong(reader, 4) is long pid ? (int)pid : (int?)null,
            ProcessStartedMs = StoreRows.NullableLong(reader, 5),
            HeartbeatMs = StoreRows.Long(reader, 6),
            StartedMs = StoreRows.Long(reader, 7),
        };

        /// <summary>
        /// The state a run is shown in: a Running run whose process is gone is Abandoned at once, by the rule
        /// recovery uses to take its items back (checkpoints and run history alike).
        /// </summary>
        public static RunState Shown(RunState recorded, RunRecord run, long nowMs) =>
            recorded == RunState.Running && RunHost.Current.IsGone(run.Host, run.ProcessId, run.ProcessStartedMs, run.HeartbeatMs, nowMs) ? RunState.Abandoned : recorded;

        public static RunState ParseState(string text) => Enum.TryParse(text, out RunState state) ? state : RunState.Failed;

        public static StopReason ParseReason(string text) => Enum.TryParse(text, out StopReason reason) ? reason : StopReason.None;
    }
}
