using System;

namespace BatchOps
{
    /// <summary>What a run did, written once when a run ends: its final summary.</summary>
    public sealed class BatchRunSummary
    {
        public string Job { get; init; } = "";

        public long RunId { get; init; }

        public RunState State { get; init; }

        public StopReason StopReason { get; init; }

        /// <summary>Items in the job when the run ended.</summary>
        public long Total { get; init; }

        /// <summary>New items this invocation added to the job.</summary>
        public long Added { get; init; }

        /// <summary>Input items that were already done when they were fed again, so they were not processed again.</summary>
        public long Skipped { get; init; }

        /// <summary>Items this run processed successfully.</summary>
        public long Succeeded { get; init; }

        /// <summary>Items this run failed for good (after every retry).</summary>
        public long Failed { get; init; }

        /// <summary>Items of the job still pending or running when the run ended.</summary>
        public long Remaining { get; init; }

        /// <summary>Items of the job that had failed when the run ended, earlier runs' included (they wait for a reset).</summary>
        public long JobFailed { get; init; }

        public long Batches { get; init; }

        public TimeSpan Duration { get; init; }

        /// <summary>Duration in seconds: a plain number for JSON and CSV (ConvertTo-Json writes a TimeSpan as an object).</summary>
        public double DurationSeconds => Math.Round(Duration.TotalSeconds, 3);

        /// <summary>Items finished (succeeded or failed) per second of the run.</summary>
        public double ItemsPerSecond { get; init; }

        public double PercentComplete { get; init; }

        public string? Message { get; init; }

        public string Store { get; init; } = "";

        /// <summary>Why the run failed (State is Failed), or null. A job removed under the run is a stop, not a failure.</summary>
        public RunFailure? Failure { get; init; }
    }
}
