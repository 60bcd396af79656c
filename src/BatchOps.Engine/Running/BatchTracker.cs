using System.Collections.Generic;
using BatchOps.Engine.Storage;

namespace BatchOps.Engine.Running
{
    /// <summary>
    /// Counts the outcomes of each claimed batch. Batches finish out of order (no barrier between them); a batch is
    /// complete, and its record and checkpoint are written, when its last item has an outcome.
    /// </summary>
    internal sealed class BatchTracker
    {
        private readonly Dictionary<long, OpenBatch> _open = new Dictionary<long, OpenBatch>();
        private readonly object _gate = new object();

        public long Started { get; private set; }

        public long Completed { get; private set; }

        public long Register(int items, long startedMs)
        {
            lock (_gate)
            {
                long number = ++Started;
                _open[number] = new OpenBatch { Items = items, StartedMs = startedMs };
                return number;
            }
        }

        /// <summary>Counts one outcome; returns the batch's record when that was its last item.</summary>
        public BatchRecord? Count(long batch, OutcomeKind kind, long nowMs)
        {
            lock (_gate)
            {
                if (!_open.TryGetValue(batch, out OpenBatch? open))
                {
                    return null;
                }

                switch (kind)
                {
                    case OutcomeKind.Succeeded:
                        open.Succeeded++;
                        break;
                    case OutcomeKind.Failed:
                        open.Failed++;
                        break;
                    default:
                        open.Released++;
                        break;
                }

                if (open.Succeeded + open.Failed + open.Released < open.Items)
                {
                    return null;
                }

                _open.Remove(batch);
                Completed++;
                return new BatchRecord
                {
                    Number = batch,
                    Items = open.Items,
                    Succeeded = open.Succeeded,
                    Failed = open.Failed,
                    Released = open.Released,
                    StartedMs = open.StartedMs,
                    CompletedMs = nowMs,
                };
            }
        }

        private sealed class OpenBatch
        {
            public int Items;
            public int Succeeded;
            public int Failed;
            public int Released;
            public long StartedMs;
        }
    }
}
