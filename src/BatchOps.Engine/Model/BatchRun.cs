using System;

namespace BatchOps
{
    /// <summary>One run of a job, as the store recorded it: who ran it, when, how it ended, and what it did.</summary>
    public sealed class BatchRun
    {
        public string Job { get; init; } = "";

        public long RunId { get; init; }

        /// <summary>Running, Completed, Stopped, Failed, Crashed; Abandoned when its process here is gone.</summary>
        public RunState State { get; init; }

        public StopReason StopReason { get; init; }

        public DateTime Started { get; init; }

        public DateTime? Ended { get; init; }

        public string? Host { get; init; }

        public int? ProcessId { get; init; }

        public string? User { get; init; }

        /// <summary>Items this run claimed, and of them the ones that succeeded and failed for good.</summary>
        public long Claimed { get; init; }

        public long Succeeded { get; init; }

        public long Failed { get; init; }

        /// <summary>Batches this run completed.</summary>
        public long Batches { get; init; }

        /// <summary>Items finished per second, from the run's start to its end (or now, while it runs).</summary>
        public double ItemsPerSecond { get; init; }

        /// <summary>The options it ran with, as JSON (batch size, throttle, target ...).</summary>
        public string? Options { get; init; }

        public string? LastBackup { get; init; }

        public string? Message { get; init; }

        /// <summary>What the run is doing (Processing, Suspended, Idle ...); Ended once it has ended.</summary>
        public RunActivity Activity { get; init; }

        public string Store { get; init; } = "";

        public override string ToString() => $"run {RunId} of {Job}: {State}";
    }
}
