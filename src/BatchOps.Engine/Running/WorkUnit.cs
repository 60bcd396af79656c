using System;
using System.Threading;
using BatchOps.Engine.Storage;

namespace BatchOps.Engine.Running
{
    /// <summary>An item on its way through a worker.</summary>
    internal sealed class WorkUnit
    {
        public WorkUnit(ClaimedItem item, long batch)
        {
            Item = item;
            Batch = batch;
            Attempt = item.Attempts;
        }

        public ClaimedItem Item { get; }

        public long Batch { get; }

        /// <summary>The attempt in progress (the claim counted the first; each retry adds one).</summary>
        public int Attempt { get; set; }

        public int Worker { get; set; }

        public bool Started { get; set; }

        /// <summary>When the processor first got the item in this claim (store clock, ms); null until then.</summary>
        public long? StartedMs { get; set; }

        /// <summary>Pauses of all dispatch this item's rate limits caused (they do not count as attempts).</summary>
        public int RateLimitPauses { get; set; }

        /// <summary>Fires on a graceful stop or a suspend: lets an item waiting at the rate-limit gate go back unstarted.</summary>
        public CancellationToken ReleaseToken { get; set; }

        /// <summary>True when the item went back unstarted from the rate-limit gate (not for a breaker or a cancel).</summary>
        public bool ReleasedAtGate { get; set; }
    }

    /// <summary>A rate limit one worker met: the item, the error, and how long every worker now waits.</summary>
    internal sealed class RateLimitHit
    {
        public RateLimitHit(WorkUnit unit, string error, TimeSpan wait, bool fromService)
        {
            Unit = unit;
            Error = error;
            Wait = wait;
            FromService = fromService;
        }

        public WorkUnit Unit { get; }

        public string Error { get; }

        public TimeSpan Wait { get; }

        /// <summary>True when the wait is the service's Retry-After.</summary>
        public bool FromService { get; }
    }
}
