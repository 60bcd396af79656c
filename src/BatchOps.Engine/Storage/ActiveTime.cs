using System;
using System.Collections.Generic;
using System.Linq;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// How long a job's runs were actually working within a window: the union of their intervals clipped to it, so
    /// that a rate is "items per second of work", not items per second of a fixed window that the runs filled only
    /// in part. Overlapping runs (several processes) count their shared time once.
    /// </summary>
    public static class ActiveTime
    {
        /// <param name="runs">Each run's start and end (ms since the epoch; a running run ends now).</param>
        /// <param name="sinceMs">The window's start.</param>
        /// <param name="nowMs">The window's end.</param>
        public static long Milliseconds(IEnumerable<(long StartMs, long EndMs)> runs, long sinceMs, long nowMs)
        {
            long total = 0, coveredTo = long.MinValue;
            foreach (var (start, end) in runs
                .Select(r => (Start: Math.Max(r.StartMs, sinceMs), End: Math.Min(r.EndMs, nowMs)))
                .Where(r => r.End > r.Start)
                .OrderBy(r => r.Start))
            {
                long from = Math.Max(start, coveredTo);
                if (end > from)
                {
                    total += end - from;
                    coveredTo = end;
                }
            }

            return total;
        }
    }
}
