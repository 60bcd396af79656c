using System;
using System.Data.Common;
using System.Globalization;
using BatchOps.Engine.Running;
using BatchOps.Engine.Platform;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// Reading rows of the runs table: the columns that say whose a run is, and its state and stop reason. Rows are
    /// read through <see cref="DbDataReader"/>, so that both backends (SQLite and PostgreSQL) read them by one rule.
    /// </summary>
    internal static class SqliteRunRows
    {
        /// <summary>The columns <see cref="ReadRecord"/> reads, first in every SELECT of runs that uses it.</summary>
        public const string RecordColumns = "id, job_id, state, host, pid, process_started_ms, heartbeat_ms, started_ms";

        /// <summary>The number of <see cref="RecordColumns"/>: the ordinal of the first column after them.</summary>
        public const int RecordColumnCount = 8;

        public static RunRecord ReadRecord(DbDataReader reader) => new RunRecord
        {
            Id = Long(reader, 0),
            JobId = Long(reader, 1),
            State = ParseState(reader.GetString(2)),
            Host = NullableString(reader, 3),
            ProcessId = NullableLong(reader, 4) is long pid ? (int)pid : (int?)null,
            ProcessStartedMs = NullableLong(reader, 5),
            HeartbeatMs = Long(reader, 6),
            StartedMs = Long(reader, 7),
        };

        /// <summary>
        /// The state a run is shown in: a Running run whose process is gone is Abandoned at once, by the rule
        /// recovery uses to take its items back (checkpoints and run history alike).
        /// </summary>
        public static RunState Shown(RunState recorded, RunRecord run, long nowMs) =>
            recorded == RunState.Running && RunHost.Current.IsGone(run.Host, run.ProcessId, run.ProcessStartedMs, run.HeartbeatMs, nowMs) ? RunState.Abandoned : recorded;

        public static RunState ParseState(string text) => Enum.TryParse(text, out RunState state) ? state : RunState.Failed;

        public static StopReason ParseReason(string text) => Enum.TryParse(text, out StopReason reason) ? reason : StopReason.None;

        /// <summary>An integer column of either width (PostgreSQL's integer columns are 32-bit).</summary>
        public static long Long(DbDataReader reader, int ordinal) => Convert.ToInt64(reader.GetValue(ordinal), CultureInfo.InvariantCulture);

        public static long? NullableLong(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? (long?)null : Long(reader, ordinal);

        public static string? NullableString(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
    }
}
