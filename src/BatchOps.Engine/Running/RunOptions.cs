using System;
using System.Globalization;
using System.Text.Json;

namespace BatchOps.Engine.Running
{
    /// <summary>
    /// How a run processes its job. The defaults are those of the seed scripts and of ForEach-Object -Parallel.
    /// <see cref="Validate"/> refuses a bad value with an error that names it, before anything is written.
    /// </summary>
    public sealed class RunOptions
    {
        public const int MaxBatchSize = 100_000;
        public const int MaxThrottleLimit = 1_024;
        public const int MaxRetryLimit = 100;

        /// <summary>Items claimed, checkpointed and reported together (seed default: 5).</summary>
        public int BatchSize { get; set; } = 5;

        /// <summary>Items processed at the same time (as ForEach-Object -Parallel's default: 5).</summary>
        public int ThrottleLimit { get; set; } = 5;

        /// <summary>A pause after each batch. Zero (the default) means no barrier between batches at all.</summary>
        public TimeSpan BatchDelay { get; set; } = TimeSpan.Zero;

        /// <summary>Retries after a failed first attempt (seed default: 3, so at most 4 attempts).</summary>
        public int RetryLimit { get; set; } = 3;

        /// <summary>The first retry's delay; each further retry doubles it, with jitter.</summary>
        public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>The longest a retry waits, however many attempts came before.</summary>
        public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

        /// <summary>How long one attempt may take before it is cancelled (a command's process tree is killed).</summary>
        public TimeSpan? ItemTimeout { get; set; }

        /// <summary>The most items started per second, over all workers.</summary>
        public double? RateLimit { get; set; }

        /// <summary>Stop claiming once this percentage of the job's items has succeeded.</summary>
        public double? TargetPercent { get; set; }

        /// <summary>Process at most this many items in this run.</summary>
        public long? MaxItems { get; set; }

        /// <summary>Stop claiming after this long; items in flight are finished.</summary>
        public TimeSpan? MaxDuration { get; set; }

        /// <summary>How long a claim lasts without renewal. A live run renews its leases; a dead one's expire.</summary>
        public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(2);

        /// <summary>The most characters of a processor's output kept as an item's result.</summary>
        public int MaxResultLength { get; set; } = 64 * 1024;

        /// <summary>Refuses a bad option with a <see cref="BatchOpsException"/> that says what to use instead.</summary>
        public void Validate()
        {
            if (BatchSize < 1 || BatchSize > MaxBatchSize)
            {
                throw Invalid(ErrorIds.InvalidBatchSize, $"BatchSize must be between 1 and {MaxBatchSize:N0}; it was {BatchSize}. Use a value such as 5 (the default) or 100.", BatchSize);
            }

            if (ThrottleLimit < 1 || ThrottleLimit > MaxThrottleLimit)
            {
                throw Invalid(ErrorIds.InvalidThrottleLimit, $"ThrottleLimit must be between 1 and {MaxThrottleLimit:N0}; it was {ThrottleLimit}. Use the number of items to process at the same time, such as 5 (the default).", ThrottleLimit);
            }

            if (BatchDelay < TimeSpan.Zero || BatchDelay > TimeSpan.FromDays(1))
            {
                throw Invalid(ErrorIds.InvalidBatchDelay, $"BatchDelay must be between 0 and 1 day; it was {Seconds(BatchDelay)} seconds. Use 0 for no delay or a few seconds to pause between batches.", BatchDelay);
            }

            if (RetryLimit < 0 || RetryLimit > MaxRetryLimit)
            {
                throw Invalid(ErrorIds.InvalidRetryLimit, $"RetryLimit must be between 0 and {MaxRetryLimit}; it was {RetryLimit}. Use 0 to never retry or 3 (the default).", RetryLimit);
            }

            if (RetryDelay < TimeSpan.Zero || RetryDelay > TimeSpan.FromHours(1))
            {
                throw Invalid(ErrorIds.InvalidRetryDelay, $"RetryDelay must be between 0 and 1 hour; it was {Seconds(RetryDelay)} seconds.", RetryDelay);
            }

            if (MaxRetryDelay < RetryDelay)
            {
                throw Invalid(ErrorIds.InvalidRetryDelay, $"MaxRetryDelay ({Seconds(MaxRetryDelay)} s) must not be shorter than RetryDelay ({Seconds(RetryDelay)} s).", MaxRetryDelay);
            }

            if (ItemTimeout is TimeSpan timeout && (timeout <= TimeSpan.Zero || timeout > TimeSpan.FromDays(1)))
            {
                throw Invalid(ErrorIds.InvalidItemTimeout, $"ItemTimeout must be more than 0 and at most 1 day; it was {Seconds(timeout)} seconds. Leave it out for no timeout.", timeout);
            }

            if (RateLimit is double rate && (double.IsNaN(rate) || rate <= 0 || rate > 1_000_000))
            {
                throw Invalid(ErrorIds.InvalidRateLimit, $"RateLimit must be more than 0 and at most 1,000,000 items per second; it was {rate.ToString(CultureInfo.InvariantCulture)}. Use for example 5 for an API that allows 5 requests per second.", rate);
            }

            if (TargetPercent is double target && (double.IsNaN(target) || target <= 0 || target > 100))
            {
                throw Invalid(ErrorIds.InvalidTargetPercent, $"TargetPercent must be more than 0 and at most 100; it was {target.ToString(CultureInfo.InvariantCulture)}. Use for example 50 to stop when half of the job's items have succeeded.", target);
            }

            if (MaxItems is long maxItems && maxItems < 1)
            {
                throw Invalid(ErrorIds.InvalidMaxItems, $"MaxItems must be at least 1; it was {maxItems}. Leave it out to process every pending item.", maxItems);
            }

            if (MaxDuration is TimeSpan maxDuration && maxDuration <= TimeSpan.Zero)
            {
                throw Invalid(ErrorIds.InvalidMaxDuration, $"MaxDuration must be more than 0; it was {Seconds(maxDuration)} seconds. Leave it out to run until the job is done.", maxDuration);
            }

            if (LeaseDuration < TimeSpan.FromMilliseconds(100) || LeaseDuration > TimeSpan.FromDays(1))
            {
                throw Invalid(ErrorIds.InvalidLeaseDuration, $"LeaseDuration must be between 0.1 seconds and 1 day; it was {Seconds(LeaseDuration)} seconds.", LeaseDuration);
            }

            if (MaxResultLength < 0)
            {
                throw Invalid(ErrorIds.InvalidMaxResultLength, $"MaxResultLength must be 0 or more; it was {MaxResultLength}.", MaxResultLength);
            }
        }

        /// <summary>The options as JSON, kept in the run's checkpoint so that a person can see how a run was started.</summary>
        public string ToJson()
        {
            using var buffer = new System.IO.MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteNumber("BatchSize", BatchSize);
                json.WriteNumber("ThrottleLimit", ThrottleLimit);
                json.WriteNumber("BatchDelaySeconds", BatchDelay.TotalSeconds);
                json.WriteNumber("RetryLimit", RetryLimit);
                json.WriteNumber("RetryDelaySeconds", RetryDelay.TotalSeconds);
                WriteOptional(json, "ItemTimeoutSeconds", ItemTimeout?.TotalSeconds);
                WriteOptional(json, "RateLimit", RateLimit);
                WriteOptional(json, "TargetPercent", TargetPercent);
                WriteOptional(json, "MaxItems", MaxItems);
                WriteOptional(json, "MaxDurationSeconds", MaxDuration?.TotalSeconds);
                json.WriteNumber("LeaseDurationSeconds", LeaseDuration.TotalSeconds);
                json.WriteEndObject();
            }

            return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        }

        private static void WriteOptional(Utf8JsonWriter json, string name, double? value)
        {
            if (value is double v)
            {
                json.WriteNumber(name, v);
            }
        }

        private static void WriteOptional(Utf8JsonWriter json, string name, long? value)
        {
            if (value is long v)
            {
                json.WriteNumber(name, v);
            }
        }

        private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

        private static BatchOpsException Invalid(string errorId, string message, object target) =>
            BatchOpsException.InvalidArgument(errorId, message, target);
    }
}
