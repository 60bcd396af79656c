using System;

namespace BatchOps
{
    /// <summary>
    /// Something a run reports while it works. The runner writes events to a channel from its worker threads; the
    /// cmdlet reads them on the pipeline thread (WriteProgress, WriteVerbose, WriteWarning may only be called there).
    /// </summary>
    public abstract class RunEvent
    {
        public DateTime Time { get; init; } = DateTime.Now;
    }

    /// <summary>The run has a checkpoint row and is about to claim work.</summary>
    public sealed class RunStartedEvent : RunEvent
    {
        public long RunId { get; init; }

        public string Job { get; init; } = "";

        public ProgressSnapshot Progress { get; init; } = new ProgressSnapshot();
    }

    /// <summary>Runs whose process had died were marked Crashed and their items returned to the queue.</summary>
    public sealed class RunsRecoveredEvent : RunEvent
    {
        public int Runs { get; init; }

        public long ItemsReturned { get; init; }

        public string Message { get; init; } = "";
    }

    /// <summary>All items of a batch have an outcome and the batch's checkpoint is written.</summary>
    public sealed class BatchCompletedEvent : RunEvent
    {
        public long Number { get; init; }

        public int Items { get; init; }

        public int Succeeded { get; init; }

        public int Failed { get; init; }

        public int Released { get; init; }

        public TimeSpan Duration { get; init; }

        public ProgressSnapshot Progress { get; init; } = new ProgressSnapshot();
    }

    /// <summary>A throttled progress report (a few per second at most).</summary>
    public sealed class ProgressEvent : RunEvent
    {
        public ProgressSnapshot Progress { get; init; } = new ProgressSnapshot();
    }

    /// <summary>An item failed for good (every attempt the retry limit allowed has failed).</summary>
    public sealed class ItemFailedEvent : RunEvent
    {
        public string Key { get; init; } = "";

        public int Attempts { get; init; }

        public string Error { get; init; } = "";

        public string? ErrorType { get; init; }
    }

    /// <summary>An attempt failed and the item will be tried again after a backoff.</summary>
    public sealed class ItemRetryingEvent : RunEvent
    {
        public string Key { get; init; } = "";

        public int Attempt { get; init; }

        public string Error { get; init; } = "";
    }

    /// <summary>Something a person should know that does not stop the run.</summary>
    public sealed class RunWarningEvent : RunEvent
    {
        public string Message { get; init; } = "";

        /// <summary>The batch whose results file could not be written (the host says how to write it later), or null.</summary>
        public UnwrittenResults? Unwritten { get; init; }
    }

    /// <summary>A batch of a run whose results file was not written: its results are in the store.</summary>
    public sealed class UnwrittenResults
    {
        public string Job { get; init; } = "";

        public long RunId { get; init; }

        public long Batch { get; init; }
    }

    /// <summary>What a run notices about itself: a pause (memory, rate limit), idle and deep sleep, a backup.</summary>
    public sealed class RunNoticeEvent : RunEvent
    {
        public RunNoticeKind Kind { get; init; }

        public string Message { get; init; } = "";

        /// <summary>True for what a person should see even without -Verbose (written as a warning).</summary>
        public bool IsWarning { get; init; }
    }

    public enum RunNoticeKind
    {
        MemoryHigh,
        MemoryPaused,
        MemoryRecovered,
        RateLimited,
        CircuitOpened,
        Idle,
        DeepSleep,
        Woke,
        Suspended,
        Resumed,
        BackupCompleted,
        BackupFailed,
        ResultFileWritten,
    }

    /// <summary>Where a job stands, as seen by one run.</summary>
    public sealed class ProgressSnapshot
    {
        public string Job { get; init; } = "";

        public long RunId { get; init; }

        public long Total { get; init; }

        /// <summary>Items of the job that have succeeded (earlier runs included).</summary>
        public long Succeeded { get; init; }

        public long Failed { get; init; }

        public long Remaining { get; init; }

        /// <summary>Items this run has finished (succeeded or failed).</summary>
        public long RunProcessed { get; init; }

        public long BatchesCompleted { get; init; }

        public double PercentComplete => Percent.Of(Succeeded, Total);

        /// <summary>Recent throughput, items per second.</summary>
        public double ItemsPerSecond { get; init; }

        /// <summary>Time left at the recent rate; null until there is a rate.</summary>
        public TimeSpan? Eta { get; init; }

        public TimeSpan Elapsed { get; init; }
    }
}
