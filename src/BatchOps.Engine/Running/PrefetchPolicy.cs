using System;
using System.Threading;

namespace BatchOps.Engine.Running
{
    /// <summary>
    /// How many batches a run claims ahead of its workers. Each claim is a store transaction, so fast items are
    /// claimed many batches at a time; slow items (minutes each) one batch at a time, so that a run never holds
    /// work other runs could be doing. The aim is about <see cref="TargetQueueMs"/> of work waiting locally.
    /// </summary>
    public sealed class PrefetchPolicy
    {
        public const double TargetQueueMs = 200;

        /// <summary>The most items a run holds ahead of its workers, however fast they are.</summary>
        public const int MaxItemsAhead = 2_048;

        private long _observed;
        private double _averageMs = double.NaN;

        /// <summary>Records how long an item took (all its attempts), in milliseconds.</summary>
        public void Observe(long durationMs)
        {
            // An average over roughly the last hundred items; races between workers only blur it a little.
            double current = Volatile.Read(ref _averageMs);
            double next = double.IsNaN(current) ? durationMs : current + (durationMs - current) / 100.0;
            Volatile.Write(ref _averageMs, next);
            Interlocked.Increment(ref _observed);
        }

        public int BatchesAhead(int batchSize, int throttleLimit)
        {
            int most = Math.Max(1, MaxItemsAhead / batchSize);
            if (Interlocked.Read(ref _observed) < throttleLimit)
            {
                return 1; // nothing known yet: assume slow
            }

            double average = Math.Max(0.01, Volatile.Read(ref _averageMs));
            double batchMs = average * batchSize / throttleLimit; // how long the workers take over one batch
            return (int)Math.Max(1, Math.Min(most, Math.Floor(TargetQueueMs / batchMs)));
        }
    }
}
