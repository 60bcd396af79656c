using System;
using System.Collections.Generic;
using System.Linq;
using Npgsql;
using NpgsqlTypes;

namespace BatchOps.Engine.Storage.Postgres
{
    /// <summary>
    /// The job catalog of a PostgreSQL store: jobs with their counters, items, enqueueing and resets, with the same
    /// outcomes as <see cref="SqliteJobCatalog"/>. Items are added in chunks of one statement each (unnest of the
    /// chunk's keys and payloads); a key another host adds at the same moment is counted once, by whoever commits first.
    /// </summary>
    internal sealed class PostgresJobCatalog : IJobCatalog
    {
        private const int EnqueueChunk = 5_000;

        private static readonly string EnqueueSql =
            "INSERT INTO items (job_id, key, payload, status, attempts, created_ms) SELECT @job, k, p, " + ItemStatusSql.Pending + ", 0, @now FROM unnest(@keys, @payloads) AS t(k, p) " +
            "ON CONFLICT (job_id, key) DO NOTHING RETURNING key";

        private readonly PostgresSession _s;
        private readonly PostgresItemReader _items;
        private readonly ItemResets _resets;

        public PostgresJobCatalog(PostgresSession session)
        {
            _s = session;
            _items = new PostgresItemReader(session);
            // Items are locked as they are reset: a claim on another host skips them until the reset commits.
            _resets = new ItemResets(session.Sql, lockRow: " FOR UPDATE");
        }

        // ---- jobs ------------------------------------------------------------------------------------------------

        public BatchJob? FindJob(string name)
        {
            JobNames.Validate(name);
            return _s.Guarded(() => ReadJobWhere("lower(name) = lower(@name)", ("name", name)));
        }

        public BatchJob GetJob(string name)
        {
            BatchJob? job = FindJob(name);
            if (job != null)
            {
                return job;
            }

            throw JobRows.NotFound(name, _s.Location, GetJobs());
        }

        public BatchJob GetOrCreateJob(string name)
        {
            JobNames.Validate(name);
            _s.RequireWritable();
            return _s.Guarded(() => _s.Write(() =>
            {
                long now = _s.NowMs();
                _s.Execute("INSERT INTO jobs (name, created_ms, updated_ms) VALUES (@name, @now, @now) ON CONFLICT (lower(name)) DO NOTHING", ("name", name), ("now", now));
                return ReadJobWhere("lower(name) = lower(@name)", ("name", name))!;
            }));
        }

        public IReadOnlyList<BatchJob> GetJobs() => _s.Guarded(() =>
        {
            var jobs = new List<BatchJob>();
            using NpgsqlCommand cmd = _s.Command(JobRows.Select + " ORDER BY lower(name)");
            using NpgsqlDataReader reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                jobs.Add(JobRows.Read(reader, _s.Location));
            }

            return (IReadOnlyList<BatchJob>)jobs;
        });

        // ---- items -----------------------------------------------------------------------------------------------

        public EnqueueResult Enqueue(BatchJob job, IReadOnlyList<NewItem> items)
        {
            _s.RequireWritable();
            long added = 0, queued = 0, done = 0;
            for (int start = 0; start < items.Count; start += EnqueueChunk)
            {
                int end = Math.Min(items.Count, start + EnqueueChunk);
                (long a, long q, long d) = _s.Guarded(() => _s.Write(() => EnqueueChunkOf(job.Id, items, start, end)));
                added += a;
                queued += q;
                done += d;
            }

            if (added > 0)
            {
                _s.Guarded(() => { _s.Notify(job.Id); return 0; }); // runs sleeping for work (on any host) wake now
            }

            BatchJob after = _s.Guarded(() => ReadJobWhere("id = @id", ("id", job.Id))) ?? job;
            return new EnqueueResult { Job = job.Name, Added = added, AlreadyQueued = queued, AlreadyDone = done, Total = after.Total, Store = _s.Location };
        }

        private (long Added, long Queued, long Done) EnqueueChunkOf(long jobId, IReadOnlyList<NewItem> items, int start, int end)
        {
            long now = _s.NowMs();
            var keys = new string[end - start];
            var payloads = new string?[end - start];
            for (int i = start; i < end; i++)
            {
                keys[i - start] = items[i].Key;
                payloads[i - start] = items[i].Payload;
            }

            var fresh = new HashSet<string>(StringComparer.Ordinal);
            using (NpgsqlCommand insert = _s.Command(EnqueueSql, ("job", jobId), ("now", now)))
            {
                insert.Parameters.Add(new NpgsqlParameter("keys", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = keys });
                insert.Parameters.Add(new NpgsqlParameter("payloads", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = payloads });
                using NpgsqlDataReader reader = insert.ExecuteReader();
                while (reader.Read())
                {
                    fresh.Add(reader.GetString(0));
                }
            }

            // Keys that were not added: already queued or already done, by their status now.
            Dictionary<string, int> statusOf = StatusOf(jobId, keys.Where(k => !fresh.Contains(k)).Distinct().ToArray());
            long added = 0, queued = 0, done = 0;
            var counted = new HashSet<string>(StringComparer.Ordinal);
            foreach (string key in keys)
            {
                if (fresh.Contains(key) && counted.Add(key))
                {
                    added++;
                }
                else if (statusOf.TryGetValue(key, out int status) && (status == (int)ItemStatus.Succeeded || status == (int)ItemStatus.Failed))
                {
                    done++;
                }
                else
                {
                    queued++;
                }
            }

            if (added > 0)
            {
                _s.Execute("UPDATE jobs SET total = total + @n, pending = pending + @n, updated_ms = @now WHERE id = @job", ("n", added), ("now", now), ("job", jobId));
            }

            return (added, queued, done);
        }

        private Dictionary<string, int> StatusOf(long jobId, string[] keys)
        {
            var statuses = new Dictionary<string, int>(StringComparer.Ordinal);
            if (keys.Length == 0)
            {
                return statuses;
            }

            using NpgsqlCommand cmd = _s.Command("SELECT key, status FROM items WHERE job_id = @job AND key = ANY(@keys)", ("job", jobId));
            cmd.Parameters.Add(new NpgsqlParameter("keys", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = keys });
            using NpgsqlDataReader reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                statuses[reader.GetString(0)] = reader.GetInt32(1);
            }

            return statuses;
        }

        public bool RemoveJob(BatchJob job)
        {
            _s.RequireWritable();
            return _s.Guarded(() => _s.Write(() => _s.Execute("DELETE FROM jobs WHERE id = @id", ("id", job.Id)) > 0));
        }

        public long ClearJob(BatchJob job)
        {
            _s.RequireWritable();
            return _s.Guarded(() => _s.Write(() => _resets.Clear(job.Id)));
        }

        public IReadOnlyList<BatchItem> GetItems(BatchJob job, ItemQuery query) => _items.GetItems(job, query);

        public IReadOnlyList<FinishedBatch> GetFinishedBatches(BatchJob job, long? runId, long? batch, ItemStatus? status) =>
            _items.GetFinishedBatches(job, runId, batch, status);

        public ResetResult ResetItems(BatchJob job, IReadOnlyList<string> keys)
        {
            _s.RequireWritable();
            return _s.Guarded(() => _s.Write(() => _resets.ByKeys(job.Id, keys)));
        }

        public long ResetItems(BatchJob job, ItemStatus status)
        {
            _s.RequireWritable();
            if (status == ItemStatus.Running)
            {
                throw JobRows.RunningNotReset(status);
            }

            return _s.Guarded(() => _s.Write(() => _resets.ByStatus(job.Id, status)));
        }

        public long ReturnFinishedToPending(BatchJob job, long afterMs, long beforeMs)
        {
            _s.RequireWritable();
            return _s.Guarded(() => _s.Write(() => _resets.SucceededBetween(job.Id, afterMs, beforeMs)));
        }

        private BatchJob? ReadJobWhere(string condition, params (string Name, object? Value)[] args)
        {
            using NpgsqlCommand cmd = _s.Command(JobRows.Select + " WHERE " + condition, args);
            using NpgsqlDataReader reader = cmd.ExecuteReader();
            return reader.Read() ? JobRows.Read(reader, _s.Location) : null;
        }
    }
}
