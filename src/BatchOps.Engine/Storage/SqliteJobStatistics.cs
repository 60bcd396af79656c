using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using BatchOps.Engine.Health;
using BatchOps.Engine.Platform;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// Job statistics of a SQLite store: the error log, recent activity for health checks, the run history, and the
    /// lasting vector-store baselines of a job.
    /// </summary>
    internal sealed class SqliteJobStatistics : IJobStatistics
    {
        /// <summary>The columns of a run history row after <see cref="SqliteRunRows.RecordColumns"/>, in the order <see cref="GetRuns"/> reads.</summary>
        private const string HistoryColumns =
            "stop_reason, ended_ms, user_name, claimed, succeeded, failed, batches_completed, options, last_backup, message, updated_ms, activity";

        private static readonly string Running = RunState.Running.ToString();

        private readonly SqliteSession _s;
        private readonly SqliteErrorLog _errors;

        public SqliteJobStatistics(SqliteSession session, SqliteErrorLog errors)
        {
            _s = session;
            _errors = errors;
        }

        public IReadOnlyList<ErrorEntry> GetErrors(BatchJob job, int last) => _s.Guarded(() => _errors.Latest(job.Id, last));

        public JobActivity GetRecentActivity(BatchJob job, long sinceMs, int minItems) => _s.Guarded(() =>
        {
            // Finished batches, newest first, until the window holds minItems items or reaches back to sinceMs.
            long items = 0, failed = 0, itemsSince = 0;
            using (var cmd = _s.Command(
                "SELECT b.items - b.released, b.failed, b.completed_ms FROM batches b WHERE b.run_id IN (SELECT id FROM runs WHERE job_id = @job ORDER BY id DESC LIMIT 50) ORDER BY b.id DESC LIMIT 1000",
                ("@job", job.Id)))
            using (var reader = cmd.ExecuteReader())
            {
                while (reader.Read())
                {
                    long n = reader.GetInt64(0);
                    long completed = reader.GetInt64(2);
                    if (completed >= sinceMs)
                    {
                        itemsSince += n;
                    }
                    else if (items >= minItems)
                    {
                        break;
                    }

                    items += n;
                    failed += reader.GetInt64(1);
                }
            }

            long? lastProgress;
            int active;
            using (var cmd = _s.Command("SELECT MAX(last_progress_ms), SUM(state = @running) FROM runs WHERE job_id = @job", ("@job", job.Id), ("@running", Running)))
            using (var reader = cmd.ExecuteReader())
            {
                reader.Read();
                lastProgress = SqliteSession.NullableLong(reader, 0);
                active = (int)(SqliteSession.NullableLong(reader, 1) ?? 0);
            }

            var byType = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
            long rateLimits = 0;
            using (var cmd = _s.Command(
                "SELECT error_type, COUNT(*) FROM errors WHERE job_id = @job AND id >= COALESCE((SELECT MIN(id) FROM errors WHERE job_id = @job AND time_ms >= @since), 9223372036854775807) GROUP BY error_type",
                ("@job", job.Id),
                ("@since", sinceMs)))
            using (var reader = cmd.ExecuteReader())
            {
                while (reader.Read())
                {
                    string type = SqliteSession.NullableString(reader, 0) ?? "(none)";
                    long count = reader.GetInt64(1);
                    byType[type] = count;
                    if (string.Equals(type, ErrorEntry.RateLimited, StringComparison.OrdinalIgnoreCase))
                    {
                        rateLimits += count;
                    }
                }
            }

            // The rate is over the time runs were working within the window, not over the whole window.
            long nowMs = _s.NowMs();
            var intervals = new List<(long, long)>();
            using (var cmd = _s.Command(
                "SELECT started_ms, CASE WHEN state = @running THEN @now ELSE COALESCE(ended_ms, heartbeat_ms) END FROM runs " +
                "WHERE job_id = @job AND started_ms <= @now AND COALESCE(ended_ms, @now) >= @since",
                ("@job", job.Id),
                ("@running", Running),
                ("@now", nowMs),
                ("@since", sinceMs)))
            using (var reader = cmd.ExecuteReader())
            {
                while (reader.Read())
                {
                    intervals.Add((reader.GetInt64(0), reader.GetInt64(1)));
                }
            }

            double seconds = Math.Max(0.001, ActiveTime.Milliseconds(intervals, sinceMs, nowMs) / 1000.0);
            return new JobActivity
            {
                WindowItems = items,
                WindowFailed = failed,
                ItemsPerSecond = itemsSince / seconds,
                LastProgressMs = lastProgress,
                ActiveRuns = active,
                ErrorsByType = byType,
                RateLimitEvents = rateLimits,
                LatestErrors = _errors.Latest(job.Id, 5),
            };
        });

        public IReadOnlyList<BatchRun> GetRuns(BatchJob job, RunQuery query) => _s.Guarded(() =>
        {
            var sql = new StringBuilder("SELECT " + SqliteRunRows.RecordColumns + ", " + HistoryColumns + " FROM runs WHERE job_id = @job");
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

            if (query.Since is DateTimeOffset since)
            {
                sql.Append(" AND started_ms >= @since");
                args.Add(("@since", since.ToUnixTimeMilliseconds()));
            }

            sql.Append(" ORDER BY id DESC");
            var runs = new List<BatchRun>();
            using var cmd = _s.Command(sql.ToString(), args.ToArray());
            using var reader = cmd.ExecuteReader();
            long now = _s.NowMs();
            const int h = SqliteRunRows.RecordColumnCount; // the first of the history columns
            while (reader.Read())
            {
                RunRecord record = SqliteRunRows.ReadRecord(reader);
                RunState shown = SqliteRunRows.Shown(record.State, record, now);
                if (query.State is RunState wanted && wanted != shown)
                {
                    continue;
                }

                long started = record.StartedMs;
                long? ended = SqliteSession.NullableLong(reader, h + 1);
                long succeeded = reader.GetInt64(h + 4), failed = reader.GetInt64(h + 5);
                double seconds = ((ended ?? (shown == RunState.Running ? now : reader.GetInt64(h + 10))) - started) / 1000.0;
                runs.Add(new BatchRun
                {
                    Job = job.Name,
                    RunId = record.Id,
                    State = shown,
                    StopReason = SqliteRunRows.ParseReason(reader.GetString(h)),
                    Started = Times.Local(started),
                    Ended = Times.Local(ended),
                    Host = record.Host,
                    ProcessId = record.ProcessId,
                    User = SqliteSession.NullableString(reader, h + 2),
                    Claimed = reader.GetInt64(h + 3),
                    Succeeded = succeeded,
                    Failed = failed,
                    Batches = reader.GetInt64(h + 6),
                    ItemsPerSecond = seconds > 0 ? Math.Round((succeeded + failed) / seconds, 1) : 0,
                    Options = SqliteSession.NullableString(reader, h + 7),
                    LastBackup = SqliteSession.NullableString(reader, h + 8),
                    Message = SqliteSession.NullableString(reader, h + 9),
                    Activity = shown != RunState.Running ? RunActivity.Ended
                        : Enum.TryParse(reader.GetString(h + 11), out RunActivity activity) ? activity : RunActivity.Processing,
                    Store = _s.Location,
                });
                if (query.First is int first && runs.Count >= first)
                {
                    break;
                }
            }

            return (IReadOnlyList<BatchRun>)runs;
        });

        public IReadOnlyList<long> RemoveRuns(BatchJob job, IReadOnlyList<long> runIds)
        {
            _s.RequireWritable();
            if (runIds.Count == 0)
            {
                return new long[0];
            }

            return _s.Guarded(() => _s.Write(() =>
            {
                var removed = new List<long>();
                foreach (long id in runIds)
                {
                    int deleted = _s.Execute("DELETE FROM runs WHERE id = @id AND job_id = @job AND state <> @running", ("@id", id), ("@job", job.Id), ("@running", Running));
                    if (deleted > 0)
                    {
                        _s.Execute("DELETE FROM errors WHERE job_id = @job AND run_id = @id", ("@job", job.Id), ("@id", id));
                        removed.Add(id);
                    }
                }

                return (IReadOnlyList<long>)removed;
            }));
        }

        // One key per set of watched paths, whatever order they were given in.
        private static string BaselineKey(IEnumerable<string> paths) =>
            string.Join("\n", paths.Select(FilePaths.Normalize).OrderBy(p => p, StringComparer.Ordinal));

        public VectorStoreReading? GetVectorStoreBaseline(BatchJob job, IReadOnlyList<string> paths) => _s.Guarded(() =>
        {
            using var cmd = _s.Command("SELECT bytes, files, items FROM vector_baselines WHERE job_id = @job AND paths = @paths", ("@job", job.Id), ("@paths", BaselineKey(paths)));
            using var reader = cmd.ExecuteReader();
            return reader.Read()
                ? new VectorStoreReading(paths, reader.GetInt64(0), reader.GetInt64(1), reader.IsDBNull(2) ? (long?)null : reader.GetInt64(2), missing: false)
                : null;
        });

        public void KeepVectorStoreBaseline(BatchJob job, VectorStoreReading reading)
        {
            _s.RequireWritable();
            _s.Guarded(() => _s.Write(() => _s.Execute(
                "INSERT INTO vector_baselines (job_id, paths, bytes, files, items, seen_ms) VALUES (@job, @paths, @bytes, @files, @items, @now) " +
                "ON CONFLICT(job_id, paths) DO UPDATE SET bytes = excluded.bytes, files = excluded.files, items = excluded.items, seen_ms = excluded.seen_ms",
                ("@job", job.Id), ("@paths", BaselineKey(reading.Paths)), ("@bytes", reading.Bytes), ("@files", reading.Files), ("@items", (object?)reading.Items ?? DBNull.Value), ("@now", _s.NowMs()))));
        }

        public void ForgetVectorStoreBaselines(BatchJob job)
        {
            _s.RequireWritable();
            _s.Guarded(() => _s.Write(() => _s.Execute("DELETE FROM vector_baselines WHERE job_id = @job", ("@job", job.Id))));
        }
    }
}
