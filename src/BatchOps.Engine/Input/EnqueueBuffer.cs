using System;
using System.Collections.Generic;
using BatchOps.Engine.Storage;

namespace BatchOps.Engine
{
    /// <summary>
    /// Streams pipeline input into a job: items are written in chunks (one transaction each) as they arrive, so that
    /// a million-item pipeline needs neither a million transactions nor a million items in memory.
    /// </summary>
    public sealed class EnqueueBuffer
    {
        public const int DefaultChunkSize = 2_000;

        private readonly IJobStore _store;
        private readonly BatchJob _job;
        private readonly int _chunkSize;
        private readonly List<NewItem> _pending;
        private long _added;
        private long _queued;
        private long _done;
        private long _total;

        public EnqueueBuffer(IJobStore store, BatchJob job, int chunkSize = DefaultChunkSize)
        {
            if (chunkSize < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(chunkSize));
            }

            _store = store;
            _job = job;
            _chunkSize = chunkSize;
            _pending = new List<NewItem>(chunkSize);
            _total = job.Total;
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
            return new EnqueueResult { Job = _job.Name, Added = _added, AlreadyQueued = _queued, AlreadyDone = _done, Total = _total, Store = _store.Location };
        }
    }
}
