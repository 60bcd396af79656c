using System;
using System.Collections.Generic;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// The job catalog of a SQLite store: jobs with their counters, items, enqueueing and resets. Counters on the job
    /// row change in the same transactions as the items, so that status queries never scan items. Item queries are in
    /// <see cref="SqliteItemReader"/>.
    /// </summary>
    internal sealed class SqliteJobCatalog : IJobCatalog
    {
        private const int EnqueueChunk = 5_000;

        private static readonly string EnqueueSql =
            "INSERT INTO items (job_id, key, payload, status, attempts, created_ms) VALUES (@job, @key, @payload, " + ItemStatusSql.Pending + ", 0, @now) ON CONFLICT(job_id, key) DO NOTHING";

        private readonly SqliteSession _s;
        private readonly SqliteItemReader _items;
        private readonly ItemResets _resets;

        public SqliteJobCatalog(SqliteSession session)
        {
            _s = session;
            _items = new SqliteItemReader(session);
            _resets = new ItemResets(session.Sql, lockRow: "");
        }

        // ---- jobs ------------------------------------------------------------------------------------------------

        public BatchJob? FindJob(string name)
        {
            JobNames.Validate(name);
            return _s.Guarded(() =>
            {
                using var cmd = _s.Command(JobRows.Select + " WHERE name = @name", ("@name", name));
                using var reader = cmd.ExecuteReader();
                return reader.Read() ? JobRows.Read(reader, _s.Location) : null;
            });
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
                _s.Execute("INSERT INTO jobs (name, created_ms, updated_ms) VALUES (@name, @now, @now) ON CONFLICT(name) DO NOTHING", ("@name", name), ("@now", now));
                using var cmd = _s.Command(JobRows.Select + " WHERE name = @name", ("@name", name));
                using var reader = cmd.ExecuteReader();
                reader.Read();
                return JobRows.Read(reader, _s.Location);
            }));
        }

        public IReadOnlyList<BatchJob> GetJobs() => _s.Guarded(() =>
        {
            var jobs = new List<BatchJob>();
            using var cmd = _s.Command(JobRows.Select + " ORDER BY name");
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                jobs.Add(JobRows.Read(reader, _s.Location));
            }

            return (IReadOnlyList<BatchJob>)jobs;
        });

        public bool RemoveJob(BatchJob job)
        {
            _s.RequireWritable();
            return _s.Guarded(() => _s.Write(() => _s.Execute("DELETE FROM jobs WHERE id = @id", ("@id", job.Id)) > 0));
        }

        public long ClearJob(BatchJob job)
        {
            _s.RequireWritable();
            return _s.Guarded(() => _s.Write(() => _resets.Clear(job.Id)));
        }

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

            BatchJob after = _s.Guarded(() => ReadJobById(job.Id)) ?? job;
            return new EnqueueResult { Job = job.Name, Added = added, AlreadyQueued = queued, AlreadyDone = done, Total = after.Total, Store = _s.Location };
        }

        private (long Added, long Queued, long Done) EnqueueChunkOf(long jobId, IReadOnlyList<NewItem> items, int start, int end)
        {
            long now = _s.NowMs();
            SqliteCommand insert = _s.Cached("enqueue.insert", EnqueueSql, ("@job", jobId), ("@key", null), ("@payload", null), ("@now", now));
            SqliteCommand existing = _s.Cached("enqueue.existing", "SELECT status FROM items WHERE job_id = @job AND key = @key", ("@job", jobId), ("@key", null));
            long added = 0, queued = 0, done = 0;
            for (int i = start; i < end; i++)
            {
                NewItem item = items[i];
                SqliteSession.Set(insert, "@key", item.Key);
                SqliteSession.Set(insert, "@payload", item.Payload);
                if (insert.ExecuteNonQuery() == 1)
                {
                    added++;
                    continue;
                }

                SqliteSession.Set(existing, "@key", item.Key);
                long status = Convert.ToInt64(existing.ExecuteScalar(), CultureInfo.InvariantCulture);
                if (status == (long)ItemStatus.Succeeded || status == (long)ItemStatus.Failed)
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
                _s.Execute("UPDATE jobs SET total = total + @n, pending = pending + @n, updated_ms = @now WHERE id = @job", ("@n", added), ("@now", now), ("@job", jobId));
            }

            return (added, queued, done);
        }

        public IReadOnlyList<BatchItem> GetItems(BatchJob job, ItemQuery query) => _items.GetItems(job, query);

        public IReadOnlyList<FinishedBatch> GetFinishedBatches(BatchJob job, long? runId, long? batch, ItemStatus? status = null) =>
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

        /// <summary>
        /// Puts the job's items that succeeded after <paramref name="afterMs"/> and before <paramref name="beforeMs"/>
        /// back to pending (a restored vector store does not hold their results). Returns how many.
        /// </summary>
        public long ReturnFinishedToPending(BatchJob job, long afterMs, long beforeMs)
        {
            _s.RequireWritable();
            return _s.Guarded(() => _s.Write(() => _resets.SucceededBetween(job.Id, afterMs, beforeMs)));
        }

        private BatchJob? ReadJobById(long id)
        {
            using var cmd = _s.Command(JobRows.Select + " WHERE id = @id", ("@id", id));
            using var reader = cmd.ExecuteReader();
            return reader.Read() ? JobRows.Read(reader, _s.Location) : null;
        }
    }
}
