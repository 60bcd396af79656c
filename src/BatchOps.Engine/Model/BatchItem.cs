using System;

namespace BatchOps
{
    /// <summary>One work item as the store holds it. Get-BatchItem writes these.</summary>
    public sealed class BatchItem
    {
        public long Id { get; init; }

        /// <summary>The name of the job the item belongs to.</summary>
        public string Job { get; init; } = "";

        /// <summary>The item's key, unique within its job.</summary>
        public string Key { get; init; } = "";

        public ItemStatus Status { get; init; }

        /// <summary>How many times a run started the item (a retry is an attempt; a crash during the item counts too).</summary>
        public int Attempts { get; init; }

        /// <summary>The error of the latest failed attempt, if the item has not succeeded since.</summary>
        public string? LastError { get; init; }

        /// <summary>What the processor returned for the item (its output, capped).</summary>
        public string? Result { get; init; }

        /// <summary>The data the processor gets for the item, as JSON.</summary>
        public string? Payload { get; init; }

        public DateTime Created { get; init; }

        public DateTime? Started { get; init; }

        public DateTime? Finished { get; init; }

        public TimeSpan? Duration { get; init; }

        /// <summary>Duration in seconds: a plain number for JSON and CSV (ConvertTo-Json writes a TimeSpan as an object).</summary>
        public double? DurationSeconds => Duration is TimeSpan d ? Math.Round(d.TotalSeconds, 3) : (double?)null;

        /// <summary>The run that holds or last held the item.</summary>
        public long? RunId { get; init; }

        /// <summary>For a finished item: the number of the batch of that run that finished it.</summary>
        public long? Batch { get; init; }

        public string Store { get; init; } = "";

        public override string ToString() => Key;
    }
}
