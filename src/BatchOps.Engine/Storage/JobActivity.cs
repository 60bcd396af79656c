using System.Collections.Generic;
using BatchOps.Engine.Storage;

namespace BatchOps.Engine.Storage
{
    /// <summary>What a job's store says about its recent work: the raw figures health checks judge.</summary>
    public sealed class JobActivity
    {
        /// <summary>Items in the latest finished batches (at least the minimum asked for, when the job has that many).</summary>
        public long WindowItems { get; init; }

        /// <summary>Of those, items that failed for good.</summary>
        public long WindowFailed { get; init; }

        /// <summary>Items finished within the window per second that runs were working in it (0 when none).</summary>
        public double ItemsPerSecond { get; init; }

        /// <summary>When any run of the job last finished an item (ms since the epoch), or null.</summary>
        public long? LastProgressMs { get; init; }

        /// <summary>Runs of the job that are marked Running.</summary>
        public int ActiveRuns { get; init; }

        /// <summary>Error log lines since the start of the window, by error type ("(none)" when a line has no type).</summary>
        public IReadOnlyDictionary<string, long> ErrorsByType { get; init; } = new Dictionary<string, long>();

        /// <summary>Rate limit events (ErrorType RateLimited) since the start of the window.</summary>
        public long RateLimitEvents { get; init; }

        /// <summary>The newest error log lines, newest first.</summary>
        public IReadOnlyList<ErrorEntry> LatestErrors { get; init; } = new ErrorEntry[0];
    }
}
