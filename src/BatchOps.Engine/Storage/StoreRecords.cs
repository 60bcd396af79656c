using System.Collections.Generic;

namespace BatchOps.Engine.Storage
{
    /// <summary>An item to add to a job: its key and the payload (JSON) the processor will get.</summary>
    public sealed class NewItem
    {
        public NewItem(string key, string? payload = null)
        {
            Key = key;
            Payload = payload;
        }

        public string Key { get; }

        public string? Payload { get; }
    }

    /// <summary>An item a run has claimed: it holds the lease until it records an outcome or releases it.</summary>
    public sealed class ClaimedItem
    {
        public long Id { get; init; }

        public string Key { get; init; } = "";

        public string? Payload { get; init; }

        /// <summary>Attempts so far, this one included.</summary>
        public int Attempts { get; init; }

        /// <summary>Proves the lease is still ours when the outcome is written; another claim gets another token.</summary>
        public long LeaseToken { get; init; }

        /// <summary>
        /// Where the item stands among the items of its lease token, in id order (0, 1, 2 ...), or -1 if not known.
        /// Items at consecutive positions of one token are all of that token's items between their ids.
        /// </summary>
        public int LeasePosition { get; init; } = -1;
    }

    /// <summary>The result of one claim: the items to process, and any given up because they kept killing runs.</summary>
    public sealed class ClaimResult
    {
        public IReadOnlyList<ClaimedItem> Items { get; init; } = new ClaimedItem[0];

        /// <summary>Keys failed at claim time: they had been started more often than the retry limit allows.</summary>
        public IReadOnlyList<string> Abandoned { get; init; } = new string[0];
    }

    public enum OutcomeKind
    {
        Succeeded,
        Failed,

        /// <summary>Back to pending, unfinished: the run stopped before or while processing the item.</summary>
        Released,
    }

    /// <summary>How one claimed item ended in this run.</summary>
    public sealed class ItemOutcome
    {
        public long ItemId { get; init; }

        public long LeaseToken { get; init; }

        /// <summary>The item's <see cref="ClaimedItem.LeasePosition"/>, or -1 if not known.</summary>
        public int LeasePosition { get; init; } = -1;

        public string Key { get; init; } = "";

        public OutcomeKind Kind { get; init; }

        public string? Result { get; init; }

        public string? Error { get; init; }

        public string? ErrorType { get; init; }

        /// <summary>Where the error happened (a script's position and stack), for the error log.</summary>
        public string? ErrorDetail { get; init; }

        /// <summary>The attempt number that produced this outcome.</summary>
        public int Attempt { get; init; }

        public long DurationMs { get; init; }

        /// <summary>For a release: the attempt its claim counted is given back (never started, or cancelled by the user).</summary>
        public bool UndoAttempt { get; init; }

        /// <summary>When the processor got the item (ms); null keeps the claim time. Outcomes are written in groups, later.</summary>
        public long? StartedMs { get; init; }

        /// <summary>When the item finished (ms); null means the time the outcome is written.</summary>
        public long? FinishedMs { get; init; }

        /// <summary>The run's batch number the item was claimed in.</summary>
        public long? Batch { get; init; }
    }

    /// <summary>A failed attempt that will be retried: the attempt counter and the error log are written at once.</summary>
    public sealed class ItemRetry
    {
        public long ItemId { get; init; }

        public long LeaseToken { get; init; }

        public string Key { get; init; } = "";

        public int Attempt { get; init; }

        public string Error { get; init; } = "";

        public string? ErrorType { get; init; }

        /// <summary>Where the error happened (a script's position and stack), for the error log.</summary>
        public string? ErrorDetail { get; init; }
    }

    /// <summary>A line for the error log that is not an attempt's failure: the item's attempt count is not touched.</summary>
    public sealed class ErrorNote
    {
        public string Key { get; init; } = "";

        public int Attempt { get; init; }

        public string? ErrorType { get; init; }

        public string Message { get; init; } = "";
    }

    /// <summary>What other processes have asked of a run, and whether its job has pending work; read once a second.</summary>
    public readonly struct RunSignals
    {
        public RunSignals(bool stopRequested, bool suspendRequested, long pending)
        {
            StopRequested = stopRequested;
            SuspendRequested = suspendRequested;
            Pending = pending;
        }

        public bool StopRequested { get; }

        public bool SuspendRequested { get; }

        public long Pending { get; }
    }

    /// <summary>A finished batch: written once, when its last item has an outcome.</summary>
    public sealed class BatchRecord
    {
        public long Number { get; init; }

        public int Items { get; init; }

        public int Succeeded { get; init; }

        public int Failed { get; init; }

        public int Released { get; init; }

        public long StartedMs { get; init; }

        public long CompletedMs { get; init; }
    }

    /// <summary>The run's checkpoint fields that the runner sets outright (the item counters are kept by the store).</summary>
    public sealed class RunCheckpointUpdate
    {
        public RunState State { get; init; } = RunState.Running;

        public StopReason StopReason { get; init; }

        public long BatchesStarted { get; init; }

        public long BatchesCompleted { get; init; }

        /// <summary>Items the run has claimed so far.</summary>
        public long? Claimed { get; init; }

        public string? Message { get; init; }

        /// <summary>Marks the run as ended (writes its end time).</summary>
        public bool Final { get; init; }
    }

    /// <summary>Everything one store transaction records for a run.</summary>
    public sealed class RunCommit
    {
        public long JobId { get; init; }

        public long RunId { get; init; }

        public List<ItemOutcome> Outcomes { get; } = new List<ItemOutcome>();

        public List<ItemRetry> Retries { get; } = new List<ItemRetry>();

        public List<BatchRecord> Batches { get; } = new List<BatchRecord>();

        /// <summary>Lines for the error log that are not failed attempts (rate limits that paused dispatch).</summary>
        public List<ErrorNote> Notes { get; } = new List<ErrorNote>();

        public RunCheckpointUpdate? Checkpoint { get; set; }

        public bool IsEmpty => Outcomes.Count == 0 && Retries.Count == 0 && Batches.Count == 0 && Notes.Count == 0 && Checkpoint == null;
    }

    /// <summary>Which outcomes the store accepted: an outcome whose lease was lost to another run is refused.</summary>
    public sealed class CommitResult
    {
        public CommitResult(bool[] accepted)
        {
            Accepted = accepted;
        }

        /// <summary>One flag per outcome, in the order of <see cref="RunCommit.Outcomes"/>.</summary>
        public bool[] Accepted { get; }
    }

    /// <summary>A run as the runs table holds it; used to find runs whose process died.</summary>
    public sealed class RunRecord
    {
        public long Id { get; init; }

        public long JobId { get; init; }

        public RunState State { get; init; }

        public string? Host { get; init; }

        public int? ProcessId { get; init; }

        public long? ProcessStartedMs { get; init; }

        public long HeartbeatMs { get; init; }

        public long StartedMs { get; init; }
    }

    /// <summary>Who is starting a run, written to its checkpoint.</summary>
    public sealed class RunStart
    {
        public string Host { get; init; } = "";

        public int ProcessId { get; init; }

        public long ProcessStartedMs { get; init; }

        public string User { get; init; } = "";

        public string OptionsJson { get; init; } = "{}";
    }

    /// <summary>A filter for Get-BatchItem.</summary>
    public sealed class ItemQuery
    {
        public ItemStatus? Status { get; init; }

        /// <summary>Only items this run finished (or holds).</summary>
        public long? RunId { get; init; }

        /// <summary>Only finished items of this batch number (of their run).</summary>
        public long? Batch { get; init; }

        /// <summary>Keys to match; each may hold PowerShell wildcards (* ? [abc]).</summary>
        public IReadOnlyList<string>? KeyPatterns { get; init; }

        /// <summary>The most items to return; null for all.</summary>
        public int? First { get; init; }

        /// <summary>Return items after this id (for paging).</summary>
        public long AfterId { get; init; }

        public bool IncludePayload { get; init; } = true;
    }
}

namespace BatchOps.Engine.Storage
{
    /// <summary>What Reset-BatchItem did with the keys it was given.</summary>
    public sealed class ResetResult
    {
        public System.Collections.Generic.List<string> Reset { get; } = new System.Collections.Generic.List<string>();

        public System.Collections.Generic.List<string> NotFound { get; } = new System.Collections.Generic.List<string>();

        /// <summary>Keys a live run holds right now: not reset, so that nothing is processed twice at once.</summary>
        public System.Collections.Generic.List<string> InFlight { get; } = new System.Collections.Generic.List<string>();
    }
}
