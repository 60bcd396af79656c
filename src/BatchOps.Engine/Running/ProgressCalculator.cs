using System;
using System.Collections.Generic;

namespace BatchOps.Engine.Running
{
    /// <summary>
    /// Throughput over the last half minute and the time left at that rate. A recent window follows a run that
    /// speeds up or slows down (rate limits, a slow API) better than the average since the start.
    /// </summary>
    public sealed class ProgressCalculator
    {
        private readonly long _windowMs;
        private readonly long _startMs;
        private readonly Queue<(long TimeMs, long Processed)> _samples = new Queue<(long, long)>();

        public ProgressCalculator(long startMs, TimeSpan? window = null)
        {
            _startMs = startMs;
            _windowMs = (long)(window ?? TimeSpan.FromSeconds(30)).TotalMilliseconds;
            _samples.Enqueue((startMs, 0));
        }

        /// <summary>Records that <paramref name="processed"/> items were finished by <paramref name="nowMs"/>.</summary>
        public void Record(long nowMs, long processed)
        {
            _samples.Enqueue((nowMs, processed));
            while (_samples.Count > 2 && nowMs - _samples.Peek().TimeMs > _windowMs)
            {
                _samples.Dequeue();
            }
        }

        /// <summary>Items per second over the window (since the start while the run is younger than a second).</summary>
        public double Rate(long nowMs, long processed)
        {
            (long t0, long p0) = _samples.Peek();
            long span = nowMs - t0;
            if (span < 1_000)
            {
                t0 = _startMs;
                p0 = 0;
                span = nowMs - t0;
            }

            return span <= 0 ? 0 : (processed - p0) * 1000.0 / span;
        }

        public static TimeSpan? Eta(double rate, long remaining)
        {
            if (remaining <= 0)
            {
                return TimeSpan.Zero;
            }

            if (rate <= 0)
            {
                return null;
            }

            double seconds = remaining / rate;
            return seconds > TimeSpan.MaxValue.TotalSeconds / 2 ? (TimeSpan?)null : TimeSpan.FromSeconds(Math.Ceiling(seconds));
        }
    }
}
