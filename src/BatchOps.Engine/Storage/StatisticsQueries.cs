using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using BatchOps.Engine.Health;
using BatchOps.Engine.Platform;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// Job statistics in SQL that is the same on both backends: recent activity for health checks, the run history,
    /// removing ended runs, and the vector-store baselines. The backend's statistics class holds the lock and the
    /// write transaction around each call, and reads the error log with its own <c>ErrorLog</c>.
    /// </summary>
    internal sealed class StatisticsQueries
    {
        /// <summary>The columns of a run history row after <see cref="RunRows.RecordColumns"/>, in the order <see cref="GetRuns"/> reads.</summary>
        private const string HistoryColumns =
            "stop_reason, ended_ms, user_name, claimed, succeeded, failed, batches_completed, options, last_backup, message, updated_ms, activity";

        private static readonly string Running = RunState.Running.ToString();

        private readonly StoreSql _sql;

        public StatisticsQueries(StoreSql sql) => _sql = sql;

        /// <summary>The job's latest <paramref name="last"/> error log lines, newest first.</summary>
        public IReadOnlyList<ErrorEntry> LatestErrors(long jobId, int last) => _sql.Rows(
            "SELECT run_id, item_key, attempt, time_ms, error_type, message, detail FROM errors WHERE job_id = @job ORDER BY id DESC LIMIT @n",
            r => new ErrorEntry
            {
                RunId = StoreRows.NullableLong(r, 0) ?? 0,
                Key = StoreRows.NullableString(r, 1) ?? "",
                Attempt = r.IsDBNull(2) ? 0 : StoreRows.Int(r, 2),
                Time = Times.Local(StoreRows.Long(r, 3)),
                ErrorType = StoreRows.NullableString(r, 4),
                Message = StoreRows.NullableString(r, 5),
                Detail = StoreRows.NullableString(r, 6),
            },
            ("job", jobId),
            ("n", last));

        /// <summary>
        /// The job's latest finished batches (at least <paramref name="minItems"/> items, or back to
        /// <paramref name="sinceMs"/>), its runs' progress, and its error log since then; <paramref name="latestErrors"/>
        /// are the job's newest error log lines, newest first.
        /// </summary>
        public JobActivity GetRecentActivity(long jobId, long sinceMs, int minItems, IReadOnlyList<ErrorEntry> latestErrors)
        {
            // Finished batches, newest first, until the window holds minItems items or reaches back to sinceMs.
            long items = 0, failed = 0, itemsSince = 0;
            List<(long Items, long Failed, long Completed)> batches = _sql.Rows(
                "SELECT b.items - b.released, b.failed, b.completed_ms FROM batches b WHERE b.run_id IN (SELECT id FROM runs WHERE job_id = @job ORDER BY id DESC LIMIT 50) ORDER BY b.id DESC LIMIT 1000",
                r => (StoreRows.Long(r, 0), StoreRows.Long(r, 1), StoreRows.Long(r, 2)),
                ("job", jobId));
            foreach ((long n, long nFailed, long completed) in batches)
            {
                if (completed >= sinceMs)
                {
                    itemsSince += n;
                }
                else if (items >= minItems)
                {
                    break;
                }

                items += n;
                failed += nFailed;
            }

            (long? lastProgress, long active) = _sql.Rows(
                "SELECT MAX(last_progress_ms), SUM(CASE WHEN state = @running THEN 1 ELSE 0 END) FROM runs WHERE job_id = @job",
                r => (StoreRows.NullableLong(r, 0), StoreRows.NullableLong(r, 1) ?? 0),
                ("job", jobId),
                ("running", Running)).Single();

            var byType = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
            long rateLimits = 0;
            List<(string Type, long Count)> types = _sql.Rows(
                "SELECT error_type, COUNT(*) FROM errors WHERE job_id = @job AND id >= COALESCE((SELECT MIN(id) FROM errors WHERE job_id = @job AND time_ms >= @since), 9223372036854775807) GROUP BY error_type",
                r => (StoreRows.NullableString(r, 0) ?? "(none)", StoreRows.Long(r, 1)),
                ("job", jobId),
                ("since", sinceMs));
            foreach ((string type, long count) in types)
            {
                byType[type] = count;
                if (string.Equals(type, ErrorEntry.RateLimited, StringComparison.OrdinalIgnoreCase))
                {
                    rateLimits += count;
                }
            }

            // The rate is over the time runs were working within the window, not over the whole window.
            long nowMs = _sql.NowMs();
            List<(long, long)> intervals = _sql.Rows(
                "SELECT started_ms, CASE WHEN state = @running THEN @now ELSE COALESCE(ended_ms, heartbeat_ms) END FROM runs " +
                "WHERE job_id = @job AND started_ms <= @now AND COALESCE(ended_ms, @now) >= @since",
                r => (StoreRows.Long(r, 0), StoreRows.Long(r, 1)),
                ("job", jobId),
                ("running", Running),
                ("now", nowMs),
                ("since", sinceMs));

            double seconds = Math.Max(0.001, ActiveTime.Milliseconds(intervals, sinceMs, nowMs) / 1000.0);
            return new JobActivity
            {
                WindowItems = items,
                WindowFailed = failed,
                ItemsPerSecond = itemsSince / seconds,
                LastProgressMs = lastProgress,
                ActiveRuns = (int)active,
                ErrorsByType = byType,
                RateLimitEvents = rateLimits,
                LatestErrors = latestErrors,
            };
        }

        public IReadOnlyList<BatchRun> GetRuns(BatchJob job, RunQuery query)
        {
            var sql = new StringBuilder("SELECT " + RunRows.RecordColumns + ", " + HistoryColumns + " FROM runs WHERE job_id = @job");
            var args = new List<(string, object?)> { ("job", job.Id) };
            if (query.Ids is IReadOnlyList<long> ids && ids.Count > 0)
            {
                sql.Append(" AND id IN (").Append(string.Join(", ", ids.Select((_, i) => "@id" + i))).Append(')');
                args.AddRange(ids.Select((id, i) => ("id" + i, (object?)id)));
            }

            if (query.State is RunState state && state != RunState.Abandoned)
            {
                sql.Append(" AND state = @state");
                args.Add(("state", state.ToString()));
            }

            if (query.Since is DateTimeOffset since)
            {
                sql.Append(" AND started_ms >= @since");
                args.Add(("since", since.ToUnixTimeMilliseconds()));
            }

            sql.Append(" ORDER BY id DESC");
            long now = _sql.NowMs();
            var runs = new List<BatchRun>();
            _sql.Each(
                sql.ToString(),
                reader =>
                {
                    BatchRun run = ReadRun(reader, job.Name, now);
                    if (query.State is not RunState wanted || wanted == run.State)
                    {
                        runs.Add(run);
                    }

                    return query.First is not int first || runs.Count < first;
                },
                args.ToArray());
            return runs;
        }

        /// <summary>Deletes the ended runs among <paramref name="runIds"/> (their batches go with them) and their error lines.</summary>
        public IReadOnlyList<long> RemoveRuns(long jobId, IReadOnlyList<long> runIds)
        {
            var removed = new List<long>();
            foreach (long id in runIds)
            {
                int deleted = _sql.Execute("DELETE FROM runs WHERE id = @id AND job_id = @job AND state <> @running", ("id", id), ("job", jobId), ("running", Running));
                if (deleted > 0)
                {
                    _sql.Execute("DELETE FROM errors WHERE job_id = @job AND run_id = @id", ("job", jobId), ("id", id));
                    removed.Add(id);
                }
            }

            return removed;
        }

        public VectorStoreReading? GetVectorStoreBaseline(long jobId, IReadOnlyList<string> paths) => _sql.Rows(
            "SELECT bytes, files, items FROM vector_baselines WHERE job_id = @job AND paths = @paths",
            r => new VectorStoreReading(paths, StoreRows.Long(r, 0), StoreRows.Long(r, 1), StoreRows.NullableLong(r, 2), missing: false),
            ("job", jobId),
            ("paths", BaselineKey(paths))).SingleOrDefault();

        public void KeepVectorStoreBaseline(long jobId, VectorStoreReading reading) => _sql.Execute(
            "INSERT INTO vector_baselines (job_id, paths, bytes, files, items, seen_ms) VALUES (@job, @paths, @bytes, @files, @items, @now) " +
            "ON CONFLICT(job_id, paths) DO UPDATE SET bytes = excluded.bytes, files = excluded.files, items = excluded.items, seen_ms = excluded.seen_ms",
            ("job", jobId),
            ("paths", BaselineKey(reading.Paths)),
            ("bytes", reading.Bytes),
            ("files", reading.Files),
            ("items", reading.Items),
            ("now", _sql.NowMs()));

        public void ForgetVectorStoreBaselines(long jobId) => _sql.Execute("DELETE FROM vector_baselines WHERE job_id = @job", ("job", jobId));

        // One key per set of watched paths, whatever order they were given in.
        private static string BaselineKey(IEnumerable<string> paths) =>
            string.Join("\n", paths.Select(FilePaths.Normalize).OrderBy(p => p, StringComparer.Ordinal));

        private BatchRun ReadRun(System.Data.Common.DbDataReader reader, string job, long now)
        {
            const int h = RunRows.RecordColumnCount; // the first of the history columns
            RunRecord record = RunRows.ReadRecord(reader);
            RunState shown = RunRows.Shown(record.State, record, now);
            long started = record.StartedMs;
            long? ended = StoreRows.NullableLong(reader, h + 1);
            long succeeded = StoreRows.Long(reader, h + 4), failed = StoreRows.Long(reader, h + 5);
            double seconds = ((ended ?? (shown == RunState.Running ? now : StoreRows.Long(reader, h + 10))) - started) / 1000.0;
            return new BatchRun
            {
                Job = job,
                RunId = record.Id,
                State = shown,
                StopReason = RunRows.ParseReason(reader.GetString(h)),
                Started = Times.Local(started),
                Ended = Times.Local(ended),
                Host = record.Host,
                ProcessId = record.ProcessId,
                User = StoreRows.NullableString(reader, h + 2),
                Claimed = StoreRows.Long(reader, h + 3),
                Succeeded = succeeded,
                Failed = failed,
                Batches = StoreRows.Long(reader, h + 6),
                ItemsPerSecond = seconds > 0 ? Math.Round((succeeded + failed) / seconds, 1) : 0,
                Options = StoreRows.NullableString(reader, h + 7),
                LastBackup = StoreRows.NullableString(reader, h + 8),
                Message = StoreRows.NullableString(reader, h + 9),
                Activity = shown != RunState.Running ? RunActivity.Ended
                    : Enum.TryParse(reader.GetString(h + 11), out RunActivity activity) ? activity : RunActivity.Processing,
                Store = _sql.Location,
            };
        }
    }
}
