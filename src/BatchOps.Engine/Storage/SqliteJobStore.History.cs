using System.Collections.Generic;
using System.Linq;
using BatchOps.Engine.Running;

namespace BatchOps.Engine.Storage
{
    /// <summary>The run history of a job: every run with who, when, how it ended and what it did.</summary>
    public sealed partial class SqliteJobStore
    {
        public IReadOnlyList<BatchRun> GetRuns(BatchJob job, RunQuery query) => Guarded(() =>
        {
            var sql = new System.Text.StringBuilder(
                "SELECT id, state, stop_reason, started_ms, ended_ms, host, pid, user_name, claimed, succeeded, failed, batches_completed, " +
                "options, last_backup, message, process_started_ms, heartbeat_ms, updated_ms, activity FROM runs WHERE job_id = @job");
            var args = new List<(string, object?)> { ("@job", job.Id) };
            if (query.Ids is IReadOnlyList<long> ids && ids.Count > 0)
            {
                sql.Append(" AND id IN (").Append(string.Join(", ", ids.Select((_, i) => "@id" + i))).Append(')');
                args.AddRange(ids.Select((id, i) => ("@id" + i, (object?)id)));
            }

            if (query.State is RunState state && state != RunState.Abandoned)
            {
                sql.Append(" AND state = @state");
                args.Add(("@state", state.ToString()));
            }

            if (query.Since is System.DateTimeOffset since)
            {
                sql.Append(" AND started_ms >= @since");
                args.Add(("@since", since.ToUnixTimeMilliseconds()));
            }

            sql.Append(" ORDER BY id DESC");
            var runs = new List<BatchRun>();
            using var cmd = Command(sql.ToString(), args.ToArray());
            using var reader = cmd.ExecuteReader();
            long now = NowMs();
            while (reader.Read())
            {
                RunState recorded = ParseState(reader.GetString(1));
                var record = new RunRecord { Host = NullableString(reader, 5), ProcessId = NullableLong(reader, 6) is long p ? (int)p : (int?)null, ProcessStartedMs = NullableLong(reader, 15), HeartbeatMs = reader.GetInt64(16) };
                RunState shown = Shown(recorded, record, now);
                if (query.State is RunState wanted && wanted != shown)
                {
                    continue;
                }

                long started = reader.GetInt64(3);
                long? ended = NullableLong(reader, 4);
                long finished = reader.GetInt64(9) + reader.GetInt64(10);
                double seconds = ((ended ?? (shown == RunState.Running ? now : reader.GetInt64(17))) - started) / 1000.0;
                runs.Add(new BatchRun
                {
                    Job = job.Name,
                    RunId = reader.GetInt64(0),
                    State = shown,
                    StopReason = ParseReason(reader.GetString(2)),
                    Started = Times.Local(started),
                    Ended = Times.Local(ended),
                    Host = record.Host,
                    ProcessId = record.ProcessId,
                    User = NullableString(reader, 7),
                    Claimed = reader.GetInt64(8),
                    Succeeded = reader.GetInt64(9),
                    Failed = reader.GetInt64(10),
                    Batches = reader.GetInt64(11),
                    ItemsPerSecond = seconds > 0 ? System.Math.Round(finished / seconds, 1) : 0,
                    Options = NullableString(reader, 12),
                    LastBackup = NullableString(reader, 13),
                    Message = NullableString(reader, 14),
                    Activity = shown != RunState.Running ? RunActivity.Ended
                        : System.Enum.TryParse(reader.GetString(18), out RunActivity activity) ? activity : RunActivity.Processing,
                    Store = Location,
                });
                if (query.First is int first && runs.Count >= first)
                {
                    break;
                }
            }

            return runs;
        });

        /// <summary>
        /// Deletes the records of runs that have ended (their batches and error log lines with them); never items, nor
        /// the outcomes items keep. A run still marked Running is left alone. Returns the ids deleted.
        /// </summary>
        public IReadOnlyList<long> RemoveRuns(BatchJob job, IReadOnlyList<long> runIds)
        {
            RequireWritable();
            if (runIds.Count == 0)
            {
                return new long[0];
            }

            return Guarded(() => WriteTransaction(() =>
            {
                var removed = new List<long>();
                foreach (long id in runIds)
                {
                    int deleted = Execute(
                        "DELETE FROM runs WHERE id = @id AND job_id = @job AND state <> @running",
                        ("@id", id),
                        ("@job", job.Id),
                        ("@running", RunState.Running.ToString()));
                    if (deleted > 0)
                    {
                        Execute("DELETE FROM errors WHERE job_id = @job AND run_id = @id", ("@job", job.Id), ("@id", id));
                        removed.Add(id);
                    }
                }

                return (IReadOnlyList<long>)removed;
            }));
        }

        /// <summary>
        /// The state a run is shown in: a Running run whose process is gone is Abandoned at once, by the rule
        /// recovery uses to take its items back (checkpoints and run history alike).
        /// </summary>
        private static RunState Shown(RunState recorded, RunRecord run, long nowMs) =>
            recorded == RunState.Running && RunRecovery.IsDead(run, RunHost.Current, nowMs) ? RunState.Abandoned : recorded;
    }
}
