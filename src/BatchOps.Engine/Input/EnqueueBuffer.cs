using System;
using System.Collections.Generic;
using BatchOps.Engine.Storage;

namespace BatchOps.Engine
{
    /// <summary>
    /// Streams pipeline input into a job: items are written in chunks (one transaction each) as they arrive, so that
    /// a million-item pipeline needs neither a million transactions nor a million items in memory. The store and the
    /// job are only reached at the first write, so input refused before then leaves no trace at all.
    /// </summary>
    public sealed class EnqueueBuffer
    {
        public const int DefaultChunkSize = 2_000;

        private readonly Func<IJobStore> _openStore;
        private readonly string _jobName;
        private IJobStore? _store;
        private BatchJob? _job;
        private readonly int _chunkSize;
        private readonly List<NewItem> _pending;
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

        /// <summary>Items received but not yet written (they are lost if the caller stops without <see cref="Flush"/>).</summary>
        public int Unwritten => _pending.Count;

        public void Add(NewItem item)
        {
            _pending.Add(item);
            Received++;
            if (_pending.Count >= _chunkSize)
            {
                Flush();
            }
        }

        public void Flush()
        {
            if (_pending.Count == 0)
            {
                return;
            }

            _store ??= _openStore();
            _job ??= _store.GetOrCreateJob(_jobName);
            EnqueueResult chunk = _store.Enqueue(_job, _pending);
            _pending.Clear();
            _added += chunk.Added;
            _queued += chunk.AlreadyQueued;
            _done += chunk.AlreadyDone;
            _total = chunk.Total;
        }

        /// <summary>Drops what has not been written yet (the input was refused).</summary>
        public void Discard() => _pending.Clear();

        /// <summary>Writes what is left and returns the totals.</summary>
        public EnqueueResult Complete()
        {
            Flush();
            return new EnqueueResult { Job = _job?.Name ?? _jobName, Added = _added, AlreadyQueued = _queued, AlreadyDone = _done, Total = _total, Store = _store?.Location ?? "" };
        }
    }
}
