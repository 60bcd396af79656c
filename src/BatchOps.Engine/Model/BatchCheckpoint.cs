using System;

namespace BatchOps
{
    /// <summary>
    /// The checkpoint of a job's latest run: where a run stands (started, last updated,
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

        /// <summary>PercentComplete as a text bar, for tables: "[##...] 50.0%".</summary>
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

        /// <summary>What a running run is doing now: processing, paused (memory, rate limit), idle, deep sleep...</summary>
        public RunActivity Activity { get; init; }

        /// <summary>Why it is not simply processing, e.g. "memory 91% > 80%".</summary>
        public string? ActivityReason { get; init; }

        /// <summary>When the run last finished an item (success or failure).</summary>
        public DateTime? LastProgress { get; init; }

        /// <summary>True when Suspend-BatchRun asked the run to sleep until Resume-BatchRun.</summary>
        public bool SuspendRequested { get; init; }

        /// <summary>The name of the last backup set the run took (-BackupEvery, -BackupFirst).</summary>
        public string? LastBackup { get; init; }

        public DateTime? LastBackupTime { get; init; }

        public string Store { get; init; } = "";

        /// <summary>One line, for places that show the checkpoint inside another object (health's list view, CSV).</summary>
        public override string ToString() =>
            $"run {RunId} {State}: {Completed:N0} of {Total:N0} succeeded ({PercentComplete.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)}%), {Failed:N0} failed";
    }
}
