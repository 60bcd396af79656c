using System;

namespace BatchOps.Engine.Storage
{
    /// <summary>An item with the state a store keeps for it, as <see cref="IJobImport.ImportItems"/> writes it.</summary>
    public sealed class ItemState
    {
        public string Key { get; init; } = "";

        public string? Payload { get; init; }

        /// <summary>Pending, Succeeded or Failed: a Running item belongs to a run of the store it came from.</summary>
        public ItemStatus Status { get; init; }

        public int Attempts { get; init; }

        public string? LastError { get; init; }

        public string? Result { get; init; }

        public long CreatedMs { get; init; }

        public long? StartedMs { get; init; }

        public long? FinishedMs { get; init; }

        public long? DurationMs { get; init; }

        /// <summary>
        /// The state to write for an item read from another store. An item a run holds there (Running) becomes
        /// Pending with its attempts, as if its run had released it: that run cannot finish it in this store.
        /// </summary>
        public static ItemState Of(BatchItem item)
        {
            bool held = item.Status == ItemStatus.Running;
            return new ItemState
            {
                Key = item.Key,
                Payload = item.Payload,
                Status = held ? ItemStatus.Pending : item.Status,
                Attempts = item.Attempts,
                LastError = item.LastError,
                Result = item.Result,
                CreatedMs = Times.Ms(item.Created),
                StartedMs = held ? null : Times.Ms(item.Started),
                FinishedMs = Times.Ms(item.Finished),
                DurationMs = item.Duration is TimeSpan d ? (long)Math.Round(d.TotalMilliseconds) : (long?)null,
            };
        }
    }

    /// <summary>The statements and counts that importing items means on every backend.</summary>
    internal static class ItemImportSql
    {
        /// <summary>The job's counters after adding items: parameters @job, @now, @total, @pending, @succeeded, @failed.</summary>
        public const string Counters =
            "UPDATE jobs SET total = total + @total, pending = pending + @pending, succeeded = succeeded + @succeeded, failed = failed + @failed, updated_ms = @now WHERE id = @job";

        /// <summary>An error log line of no run: parameters @job, @key, @attempt, @time, @type, @message, @detail.</summary>
        public const string ErrorLine =
            "INSERT INTO errors (job_id, run_id, item_key, attempt, time_ms, error_type, message, detail) VALUES (@job, NULL, @key, @attempt, @time, @type, @message, @detail)";

        /// <summary>Refuses an item no import may write (a Running item would have no run to hold it).</summary>
        public static void Check(ItemState item)
        {
            if (item.Status != ItemStatus.Pending && item.Status != ItemStatus.Succeeded && item.Status != ItemStatus.Failed)
            {
                throw new ArgumentException($"The item '{item.Key}' is {item.Status}: only Pending, Succeeded and Failed items can be imported.", nameof(item));
            }
        }

        /// <summary>Adds an added item's status to counts of (pending, succeeded, failed).</summary>
        public static void Count(ItemStatus status, ref long pending, ref long succeeded, ref long failed)
        {
            switch (status)
            {
                case ItemStatus.Succeeded: succeeded++; break;
                case ItemStatus.Failed: failed++; break;
                default: pending++; break;
            }
        }
    }
}
