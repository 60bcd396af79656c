using System;
using System.Collections.Generic;
using System.Linq;

namespace BatchOps.Engine.Storage
{
    /// <summary>Adds one chunk of items to a job, the backend's way; called in the chunk's write transaction.</summary>
    internal interface IItemEnqueue
    {
        /// <summary>
        /// Adds the items <paramref name="start"/> to <paramref name="end"/> whose keys the job lacks and moves the job's
        /// counters; counts the others as already queued (pending or running) or already done.
        /// </summary>
        (long Added, long Queued, long Done) Enqueue(long jobId, IReadOnlyList<NewItem> items, int start, int end);
    }

    /// <summary>
    /// The job catalog of a store, on every backend: jobs with their counters, items, enqueueing and resets. Counters on
    /// the job row change in the same transactions as the items, so that status queries never scan items. What a
    /// backend brings: how it adds a chunk of items (<see cref="IItemEnqueue"/>), its dialect, and whom to tell that a
    /// job got items (PostgreSQL notifies the runs of every host).
    /// </summary>
    internal sealed class JobCatalog : IJobCatalog
    {
        private const int EnqueueChunk = 5_000;

        private readonly IStoreSession _s;
        private readonly IItemEnqueue _enqueue;
        private readonly Action<long>? _jobChanged;
        private readonly ItemReader _items;
        private readonly ItemResets _resets;

        public JobCatalog(IStoreSession session, IItemEnqueue enqueue, Action<long>? jobChanged = null)
        {
            _s = session;
            _enqueue = enqueue;
            _jobChanged = jobChanged;
            _items = new ItemReader(session);
            _resets = new ItemResets(session.Sql, session.Dialect.LockForReset);
        }

        // ---- jobs ------------------------------------------------------------------------------------------------

        public BatchJob? FindJob(string name)
        {
            JobNames.Validate(name);
            return _s.Guarded(() => ReadJob(_s.Dialect.JobNameIs, ("name", name)));
        }

        public BatchJob GetJob(string name) => FindJob(name) ?? throw JobRows.NotFound(name, _s.Location, GetJobs());

        public BatchJob GetOrCreateJob(string name)
        {
            JobNames.Validate(name);
            _s.RequireWritable();
            return _s.Guarded(() => _s.Write(() =>
            {
                _s.Sql.Execute(
                    "INSERT INTO jobs (name, created_ms, updated_ms) VALUES (@name, @now, @now) ON CONFLICT (" + _s.Dialect.JobNameKey + ") DO NOTHING",
                    ("name", name),
                    ("now", _s.Sql.NowMs()));
                return ReadJob(_s.Dialect.JobNameIs, ("name", name))!;
            }));
        }

        public IReadOnlyList<BatchJob> GetJobs() => _s.Guarded(() =>
            (IReadOnlyList<BatchJob>)_s.Sql.Rows(JobRows.Select + " ORDER BY " + _s.Dialect.JobNameKey, r => JobRows.Read(r, _s.Location)));

        public bool RemoveJob(BatchJob job)
        {
            _s.RequireWritable();
            return _s.Guarded(() => _s.Write(() => _s.Sql.Execute("DELETE FROM jobs WHERE id = @id", ("id", job.Id)) > 0));
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
                (long a, long q, long d) = _s.Guarded(() => _s.Write(() =>
                {
                    (long Added, long Queued, long Done) chunk = _enqueue.Enqueue(job.Id, items, start, end);
                    if (chunk.Added > 0)
                    {
                        _jobChanged?.Invoke(job.Id); // runs waiting for work wake as the chunk commits
                    }

                    return chunk;
                }));
                added += a;
                queued += q;
                done += d;
            }

            BatchJob after = _s.Guarded(() => ReadJob("id = @id", ("id", job.Id))) ?? job;
            return new EnqueueResult { Job = job.Name, Added = added, AlreadyQueued = queued, AlreadyDone = done, Total = after.Total, Store = _s.Location };
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

        private BatchJob? ReadJob(string condition, params (string Name, object? Value)[] args) =>
            _s.Sql.Rows(JobRows.Select + " WHERE " + condition, r => JobRows.Read(r, _s.Location), args).FirstOrDefault();
    }
}
