using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using BatchOps.Engine.Storage;

namespace BatchOps.Engine.Input
{
    /// <summary>
    /// Streams pipeline input into a job: items are written in chunks (one transaction each) as they arrive, so that
    /// a million-item pipeline needs neither a million transactions nor a million items in memory. The store and the
    /// job are only reached at the first write, so input refused before then leaves no trace at all.
    /// A full chunk is written on a pool thread while the next one fills (the pipeline and SQLite then share the
    /// machine's cores instead of taking turns); only one chunk is ever in writing, and its error surfaces when the next
    /// chunk is full or at Flush/Complete. Dispose waits for it, so a stopped pipeline never closes the store under a write.
    /// </summary>
    public sealed class EnqueueBuffer : IDisposable
    {
        public const int DefaultChunkSize = 2_000;

        private readonly Func<IJobStore> _openStore;
        private readonly string _jobName;
        private IJobStore? _store;
        private BatchJob? _job;
        private readonly int _chunkSize;
        private List<NewItem> _pending;
        private Task? _writing; // the previous chunk, being written
        private int _inWriting; // its item count
        private long _added;
        private long _queued;
        private long _done;
        private long _total;

        /// <param name="openStore">Opens (or creates) the store; called at the first write.</param>
        /// <param name="job">The job to add to; created at the first write if need be.</param>
        /// <param name="chunkSize">Items per transaction.</param>
        public EnqueueBuffer(Func<IJobStore> openStore, string job, int chunkSize = DefaultChunkSize)
        {
            if (chunkSize < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(chunkSize));
            }

            _openStore = openStore;
            _jobName = job;
            _chunkSize = chunkSize;
            _pending = new List<NewItem>(Math.Min(chunkSize, 4096));
        }

        public EnqueueBuffer(IJobStore store, BatchJob job, int chunkSize = DefaultChunkSize)
            : this(() => store, job.Name, chunkSize)
        {
        }

        /// <summary>Items received so far, written or not.</summary>
        public long Received { get; private set; }

        /// <summary>Items received and not yet committed (those still filling a chunk and those in writing).</summary>
        public int Unwritten => _pending.Count + _inWriting;

        /// <summary>Items in chunks already committed (new, already queued or already done alike).</summary>
        public long Committed { get; private set; }

        public void Add(NewItem item)
        {
            _pending.Add(item);
            Received++;
            if (_pending.Count >= _chunkSize)
            {
                WaitForWrite();
                List<NewItem> chunk = _pending;
                _pending = new List<NewItem>(chunk.Count);
                IJobStore store = _store ??= _openStore();
                BatchJob job = _job ??= store.GetOrCreateJob(_jobName);
                _inWriting = chunk.Count;
                _writing = Task.Run(() => Count(store.Enqueue(job, chunk), chunk.Count));
            }
        }

        /// <summary>Writes every item received so far; returns when they are committed.</summary>
        public void Flush()
        {
            WaitForWrite();
            if (_pending.Count == 0)
            {
                return;
            }

            _store ??= _openStore();
            _job ??= _store.GetOrCreateJob(_jobName);
            Count(_store.Enqueue(_job, _pending), _pending.Count);
            _pending.Clear();
        }

        /// <summary>Drops what has not been written yet (the input was refused), after the chunk in writing has ended either way.</summary>
        public void Discard()
        {
            Dispose();
            _pending.Clear();
        }

        private void WaitForWrite()
        {
            if (_writing == null)
            {
                return;
            }

            try
            {
                _writing.GetAwaiter().GetResult();
            }
            finally
            {
                _writing = null;
                _inWriting = 0;
            }
        }

        private void Count(EnqueueResult chunk, int items)
        {
            Committed += items;
            _added += chunk.Added;
            _queued += chunk.AlreadyQueued;
            _done += chunk.AlreadyDone;
            _total = chunk.Total;
        }

        /// <summary>Waits for the chunk in writing, if any; its error is not raised again.</summary>
        public void Dispose()
        {
            try
            {
                WaitForWrite();
            }
            catch (Exception)
            {
                // Reached only when the pipeline already ended another way (stopped, or a refused item reported first).
            }
        }

        /// <summary>Writes what is left and returns the totals.</summary>
        public EnqueueResult Complete()
        {
            Flush();
            return new EnqueueResult { Job = _job?.Name ?? _jobName, Added = _added, AlreadyQueued = _queued, AlreadyDone = _done, Total = _total, Store = _store?.Location ?? "" };
        }
    }
}
