using System;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Health
{
    /// <summary>
    /// Where Healthy ends: each figure beyond its Degraded threshold makes a sample Degraded, beyond its Critical
    /// threshold Critical. The defaults are documented in about_BatchOps; a hashtable of any of these names
    /// overrides them (Get-BatchHealth -Threshold @{ MemoryCriticalPercent = 95 }).
    /// </summary>
    public sealed class HealthThresholds
    {
        /// <summary>System (or container) memory in use, percent.</summary>
        public double MemoryDegradedPercent { get; set; } = 80;

        public double MemoryCriticalPercent { get; set; } = 90;

        /// <summary>Free space on the store's volume, percent: below these it is Degraded / Critical.</summary>
        public double DiskDegradedPercent { get; set; } = 10;

        public double DiskCriticalPercent { get; set; } = 3;

        /// <summary>Items that failed for good among the latest finished items, percent.</summary>
        public double ErrorRateDegradedPercent { get; set; } = 20;

        public double ErrorRateCriticalPercent { get; set; } = 50;

        /// <summary>The error rate is judged over at least this many finished items (fewer: not judged).</summary>
        public int ErrorRateMinItems { get; set; } = 20;

        /// <summary>No item finished for this long while a run is active and items remain.</summary>
        public TimeSpan StallDegraded { get; set; } = TimeSpan.FromMinutes(10);

        public TimeSpan StallCritical { get; set; } = TimeSpan.FromMinutes(30);

        /// <summary>Rate limit events within the window that make a sample Degraded.</summary>
        public int RateLimitDegradedEvents { get; set; } = 1;

        /// <summary>How far back errors, rate limits and throughput are counted.</summary>
        public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(10);

        /// <summary>
        /// A vector store whose item count drops is Critical (any drop). With no count, a size drop of more than this
        /// percentage is Critical.
        /// </summary>
        public double VectorStoreShrinkPercent { get; set; } = 10;

        /// <summary>Refuses thresholds that cannot work (Critical before Degraded, negative windows).</summary>
        public void Validate()
        {
            Check(MemoryDegradedPercent <= MemoryCriticalPercent && MemoryDegradedPercent > 0 && MemoryCriticalPercent <= 100, "MemoryDegradedPercent and MemoryCriticalPercent must be between 0 and 100, Degraded not above Critical");
            Check(DiskCriticalPercent <= DiskDegradedPercent && DiskCriticalPercent >= 0 && DiskDegradedPercent <= 100, "DiskCriticalPercent and DiskDegradedPercent must be between 0 and 100, Critical not above Degraded");
            Check(ErrorRateDegradedPercent <= ErrorRateCriticalPercent && ErrorRateDegradedPercent > 0 && ErrorRateCriticalPercent <= 100, "ErrorRateDegradedPercent and ErrorRateCriticalPercent must be between 0 and 100, Degraded not above Critical");
            Check(ErrorRateMinItems >= 1, "ErrorRateMinItems must be 1 or more");
            Check(
                StallDegraded > TimeSpan.Zero && StallDegraded <= StallCritical,
                $"StallDegraded ({Minutes(StallDegraded)} min) must be more than 0 and not longer than StallCritical ({Minutes(StallCritical)} min)");
            Check(RateLimitDegradedEvents >= 1, "RateLimitDegradedEvents must be 1 or more");
            Check(Window > TimeSpan.Zero, $"Window ({Minutes(Window)} min) must be more than 0");
            Check(VectorStoreShrinkPercent >= 0 && VectorStoreShrinkPercent <= 100, "VectorStoreShrinkPercent must be between 0 and 100");
        }

        private static void Check(bool ok, string message)
        {
            if (!ok)
            {
                throw BatchOpsException.InvalidArgument(ErrorIds.HealthThresholdInvalid, message + ". Leave a threshold out to use its default (see about_BatchOps).", message);
            }
        }

        private static string Minutes(TimeSpan span) => Wording.Minutes(span);
    }
}
