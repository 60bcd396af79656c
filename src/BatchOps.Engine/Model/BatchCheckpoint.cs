using System;

namespace BatchOps
{
    /// <summary>
    /// The checkpoint of a job's latest run: the view of seed 003's --checkpoint-status (started, last updated,
    /// total, completed, failed, remaining, current batch) with the run's own figures beside it.
    /// </summary>
    public sealed class BatchCheckpoint
    {
        public string Job { get; init; } = "";

        public long RunId { get; init; }

        public RunState State { get; init; }

        public StopReason StopReason { get; init; }

        public DateTime Started { get; init; }

        public DateTime LastUpdated { get; init; }

        public DateTime? Ended { get; init; }

        /// <summary>Items in the job.</summary>
        public long Total { get; init; }

        /// <summary>Items of the job that succeeded (in any run).</summary>
        public long Completed { get; init; }

        /// <summary>Items of the job that failed for good.</summary>
        public long Failed { get; init; }

        /// <summary>Items of the job still pending or running.</summary>
        public long Remaining { get; init; }

        public double PercentComplete => Percent.Of(Completed, Total);

        /// <summary>PercentComplete as a text bar, for tables: "[#####.....] 50.0%".</summary>
        public string Progress => Percent.Bar(PercentComplete);

        /// <summary>The highest batch number this run has started.</summary>
        public long CurrentBatch { get; init; }

        public long BatchesCompleted { get; init; }

        /// <summary>Items this run processed successfully.</summary>
        public long RunSucceeded { get; init; }

        /// <summary>Items this run failed for good.</summary>
        public long RunFailed { get; init; }

        public string? Host { get; init; }

        public int? ProcessId { get; init; }

        public string? User { get; init; }

        /// <summary>The run's options, as JSON.</summary>
        public string? Options { get; init; }

        public string? Message { get; init; }

        public string Store { get; init; } = "";
    }
}
