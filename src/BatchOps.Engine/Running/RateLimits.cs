using System;
using System.Threading.RateLimiting;

namespace BatchOps.Engine.Running
{
    /// <summary>Builds the token bucket behind -RateLimit (items started per second, over all workers).</summary>
    internal static class RateLimits
    {
        public static RateLimiter? Create(double? itemsPerSecond)
        {
            if (!(itemsPerSecond is double rate))
            {
                return null;
            }

            // Refill about ten times a second (or once per item when slower), so the rate holds over short windows
            // and the largest burst is a tenth of a second's worth.
            int tokens = rate >= 10 ? (int)Math.Round(rate / 10) : 1;
            TimeSpan period = TimeSpan.FromTicks(Math.Max(1, (long)(TimeSpan.TicksPerSecond * tokens / rate)));
            return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
            {
                TokenLimit = tokens,
                TokensPerPeriod = tokens,
                ReplenishmentPeriod = period,
                AutoReplenishment = true,
                QueueLimit = int.MaxValue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            });
        }
    }
}
