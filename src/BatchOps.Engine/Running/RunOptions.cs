using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Running
{
    /// <summary>
    /// How a run processes its job. The defaults are those of the scripts BatchOps replaces and of ForEach-Object -Parallel.
    /// <see cref="Validate"/> refuses a bad value with an error that names it, before anything is written.
    /// </summary>
    public sealed class RunOptions
    {
        public const int MaxBatchSize = 100_000;
        public const int MaxThrottleLimit = 1_024;
        public const int MaxRetryLimit = 100;

        /// <summary>The longest wait a .NET timer takes (2^32 - 2 ms is about 49.7 days), in whole days.</summary>
        public static readonly TimeSpan MaxTimerDuration = TimeSpan.FromDays(49);

        /// <summary>Items claimed, checkpointed and reported together (default 5).</summary>
        public int BatchSize { get; set; } = 5;

        /// <summary>Items processed at the same time (as ForEach-Object -Parallel's default: 5).</summary>
        public int ThrottleLimit { get; set; } = 5;

        /// <summary>A pause after each batch. Zero (the default) means no barrier between batches at all.</summary>
        public TimeSpan BatchDelay { get; set; } = TimeSpan.Zero;

        /// <summary>Retries after a failed first attempt (default 3, so at most 4 attempts).</summary>
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

        /// <summary>After the run, keep the records of only this many newest runs of the job (ended ones are removed).</summary>
        public int? KeepRuns { get; set; }

        /// <summary>Stop claiming after this long; items in flight are finished.</summary>
        public TimeSpan? MaxDuration { get; set; }

        /// <summary>How long a claim lasts without renewal. A live run renews its leases; a dead one's expire.</summary>
        public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(2);

        /// <summary>The most characters of a processor's output kept as an item's result.</summary>
        public int MaxResultLength { get; set; } = 64 * 1024;

        /// <summary>
        /// Before claiming more work, if system (or container) memory is above this percentage: collect garbage,
        /// release memory to the OS, wait <see cref="MemoryWait"/>, check again; after <see cref="MemoryChecksBeforePause"/>
        /// checks the run is marked paused (with the reason) until memory drops. Null: no guard (Start-BatchRun's default is 80).
        /// </summary>
        public double? MaxMemoryPercent { get; set; }

        /// <summary>How long the memory guard waits between checks (default 5 seconds).</summary>
        public TimeSpan MemoryWait { get; set; } = TimeSpan.FromSeconds(5);

        /// <summary>
        /// After a graceful stop forced on the run from outside (Start-BatchRun on SIGTERM, SIGHUP or SIGINT), how long items
        /// in flight may take to finish before they are cancelled and released (default 5 seconds).
        /// </summary>
        public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(5);

        /// <summary>Checks above the threshold before the run is marked paused and says so.</summary>
        public int MemoryChecksBeforePause { get; set; } = 3;

        /// <summary>
        /// The first pause of all dispatch when the processor reports a rate limit without a Retry-After; each
        /// further one in a row doubles it, up to <see cref="MaxRetryDelay"/>. A Retry-After is honoured as given.
        /// </summary>
        public TimeSpan RateLimitWait { get; set; } = TimeSpan.FromSeconds(10);

        /// <summary>
        /// Rate-limit pauses one item may cause before its rate limits count as ordinary failed attempts (retried with
        /// the usual backoff, up to the retry limit). Small, because each pause holds every worker: with the default
        /// waits 5 pauses are about five minutes, where 20 were an hour of a run doing nothing for one item.
        /// </summary>
        public int MaxRateLimitPausesPerItem { get; set; } = 5;

        /// <summary>
        /// Circuit breaker (Polly): when more than this fraction (0-1) of attempts fail within
        /// <see cref="FailureSamplingDuration"/> (at least <see cref="FailureMinimumThroughput"/> attempts), the run
        /// stops (StopReason CircuitBroken) and leaves the remaining items pending. Null: no breaker.
        /// </summary>
        public double? MaxFailureRatio { get; set; }

        public TimeSpan FailureSamplingDuration { get; set; } = TimeSpan.FromSeconds(60);

        public int FailureMinimumThroughput { get; set; } = 20;

        /// <summary>Keep running when the job is drained: poll, sleep deeply when idle, wake when items are added.</summary>
        public bool Continuous { get; set; }

        /// <summary>Continuous mode: idle this long, the run enters deep sleep (memory released, processor caches closed).</summary>
        public TimeSpan DeepSleepAfter { get; set; } = TimeSpan.FromMinutes(5);

        /// <summary>Continuous mode: the longest interval between full polls (items whose lease ran out); new items wake it within a second.</summary>
        public TimeSpan MaxPollInterval { get; set; } = TimeSpan.FromMinutes(1);

        /// <summary>
        /// Run only the items with these keys (exact); the job's other items are left as they are. Only pending items
        /// (and items whose lease ran out) are claimed: put finished ones back to pending first. Null: the whole job.
        /// </summary>
        public IReadOnlyCollection<string>? ItemKeys { get; set; }

        /// <summary>The vector store to back up at quiet points (paths, destination, name, retention); null: no backups.</summary>
        public Backup.BackupRequest? Backup { get; set; }

        /// <summary>Back up after every this many completed batches (dispatch paused, items in flight finished).</summary>
        public int? BackupEvery { get; set; }

        /// <summary>Back up at the next quiet point once this long has passed since the run's last backup (or its start).</summary>
        public TimeSpan? BackupInterval { get; set; }

        /// <summary>
        /// Write each batch's results to a file as soon as the batch is committed: a full path with {Job}, {Run} and
        /// {Batch} (see <see cref="Reporting.ResultPathTemplate"/>), the format from its extension. Null: no files.
        /// </summary>
        public string? ResultPath { get; set; }

        /// <summary>Back up before the first batch; if that backup fails, nothing is processed.</summary>
        public bool BackupFirst { get; set; }

        /// <summary>Refuses a bad option with a <see cref="BatchOpsException"/> that says what to use instead.</summary>
        public void Validate()
        {
            if (BatchSize < 1 || BatchSize > MaxBatchSize)
            {
                throw Invalid(ErrorIds.BatchSizeInvalid, $"BatchSize must be between 1 and {MaxBatchSize:N0}; it was {BatchSize}. Use a value such as 5 (the default) or 100.", BatchSize);
            }

            if (ThrottleLimit < 1 || ThrottleLimit > MaxThrottleLimit)
            {
                throw Invalid(ErrorIds.ThrottleLimitInvalid, $"ThrottleLimit must be between 1 and {MaxThrottleLimit:N0}; it was {ThrottleLimit}. Use the number of items to process at the same time, such as 5 (the default).", ThrottleLimit);
            }

            if (BatchDelay < TimeSpan.Zero || BatchDelay > TimeSpan.FromDays(1))
            {
                throw Invalid(ErrorIds.BatchDelayInvalid, $"BatchDelay must be between 0 and 1 day; it was {Seconds(BatchDelay)} seconds. Use 0 for no delay or a few seconds to pause between batches.", BatchDelay);
            }

            if (RetryLimit < 0 || RetryLimit > MaxRetryLimit)
            {
                throw Invalid(ErrorIds.RetryLimitInvalid, $"RetryLimit must be between 0 and {MaxRetryLimit}; it was {RetryLimit}. Use 0 to never retry or 3 (the default).", RetryLimit);
            }

            if (RetryDelay < TimeSpan.Zero || RetryDelay > TimeSpan.FromHours(1))
            {
                throw Invalid(ErrorIds.RetryDelayInvalid, $"RetryDelay must be between 0 and 1 hour; it was {Seconds(RetryDelay)} seconds.", RetryDelay);
            }

            if (MaxRetryDelay < RetryDelay)
            {
                throw Invalid(ErrorIds.RetryDelayInvalid, $"MaxRetryDelay ({Seconds(MaxRetryDelay)} s) must not be shorter than RetryDelay ({Seconds(RetryDelay)} s).", MaxRetryDelay);
            }

            if (ItemTimeout is TimeSpan timeout && (timeout <= TimeSpan.Zero || timeout > TimeSpan.FromDays(1)))
            {
                throw Invalid(ErrorIds.ItemTimeoutInvalid, $"ItemTimeout must be more than 0 and at most 1 day; it was {Seconds(timeout)} seconds. Leave it out for no timeout.", timeout);
            }

            if (RateLimit is double rate && (double.IsNaN(rate) || rate <= 0 || rate > 1_000_000))
            {
                throw Invalid(ErrorIds.RateLimitInvalid, $"RateLimit must be more than 0 and at most 1,000,000 items per second; it was {rate.ToString(CultureInfo.InvariantCulture)}. Use for example 5 for an API that allows 5 requests per second.", rate);
            }

            if (TargetPercent is double target && (double.IsNaN(target) || target <= 0 || target > 100))
            {
                throw Invalid(ErrorIds.TargetPercentInvalid, $"TargetPercent must be more than 0 and at most 100; it was {target.ToString(CultureInfo.InvariantCulture)}. Use for example 50 to stop when half of the job's items have succeeded.", target);
            }

            if (KeepRuns is int keepRuns && keepRuns < 1)
            {
                throw Invalid(ErrorIds.KeepRunsInvalid, $"KeepRuns must be at least 1 (this run's own record is kept); it was {keepRuns}.", keepRuns);
            }

            if (MaxItems is long maxItems && maxItems < 1)
            {
                throw Invalid(ErrorIds.MaxItemsInvalid, $"MaxItems must be at least 1; it was {maxItems}. Leave it out to process every pending item.", maxItems);
            }

            // A timer cannot be set further ahead than about 49.7 days.
            if (MaxDuration is TimeSpan maxDuration && (maxDuration <= TimeSpan.Zero || maxDuration > MaxTimerDuration))
            {
                throw Invalid(ErrorIds.MaxDurationInvalid, $"MaxDuration must be more than 0 and at most 49 days; it was {Seconds(maxDuration)} seconds. Leave it out to run until the job is done.", maxDuration);
            }

            if (LeaseDuration < TimeSpan.FromMilliseconds(100) || LeaseDuration > TimeSpan.FromDays(1))
            {
                throw Invalid(ErrorIds.LeaseDurationInvalid, $"LeaseDuration must be between 0.1 seconds and 1 day; it was {Seconds(LeaseDuration)} seconds.", LeaseDuration);
            }

            if (MaxMemoryPercent is double memory && (double.IsNaN(memory) || memory < 1 || memory > 100))
            {
                throw Invalid(ErrorIds.MaxMemoryPercentInvalid, $"MaxMemoryPercent must be between 1 and 100; it was {memory.ToString(CultureInfo.InvariantCulture)}. Use for example 80 (the default) to pause claiming work when 80% of memory is in use, or 100 to turn the guard off.", memory);
            }

            if (MemoryWait < TimeSpan.Zero || MemoryWait > TimeSpan.FromHours(1) || MemoryChecksBeforePause < 1)
            {
                throw Invalid(ErrorIds.MemoryWaitInvalid, MemoryChecksBeforePause < 1
                    ? $"MemoryChecksBeforePause must be at least 1; it was {MemoryChecksBeforePause}."
                    : $"MemoryWait must be between 0 and 1 hour; it was {Seconds(MemoryWait)} s.", MemoryWait);
            }

            if (RateLimitWait < TimeSpan.Zero || RateLimitWait > TimeSpan.FromHours(1) || MaxRateLimitPausesPerItem < 0)
            {
                throw Invalid(ErrorIds.RateLimitWaitInvalid, $"RateLimitWait must be between 0 and 1 hour; it was {Seconds(RateLimitWait)} seconds. Use for example 10 (the default).", RateLimitWait);
            }

            if (StopTimeout < TimeSpan.Zero || StopTimeout > TimeSpan.FromHours(1))
            {
                throw Invalid(ErrorIds.StopTimeoutInvalid, $"StopTimeout must be between 0 and 1 hour; it was {Seconds(StopTimeout)} seconds. Use for example 5 (the default), or 0 to cancel items in flight at once.", StopTimeout);
            }

            if (MaxFailureRatio is double ratio && (double.IsNaN(ratio) || ratio <= 0 || ratio > 1))
            {
                throw Invalid(ErrorIds.MaxFailureRatioInvalid, $"MaxFailureRatio must be more than 0 and at most 1; it was {ratio.ToString(CultureInfo.InvariantCulture)}. Use for example 0.5 to stop the run when more than half of the attempts in a minute fail.", ratio);
            }

            if (FailureSamplingDuration < TimeSpan.FromSeconds(0.5) || FailureSamplingDuration > TimeSpan.FromDays(1) || FailureMinimumThroughput < 2)
            {
                throw Invalid(ErrorIds.MaxFailureRatioInvalid, $"FailureSamplingDuration must be between 0.5 seconds and 1 day and FailureMinimumThroughput at least 2; they were {Seconds(FailureSamplingDuration)} s and {FailureMinimumThroughput}.", FailureSamplingDuration);
            }

            if (DeepSleepAfter < TimeSpan.Zero || DeepSleepAfter > MaxTimerDuration || MaxPollInterval < TimeSpan.FromMilliseconds(100) || MaxPollInterval > TimeSpan.FromDays(1))
            {
                throw Invalid(ErrorIds.DeepSleepInvalid, $"DeepSleepAfter must be between 0 and 49 days and MaxPollInterval between 0.1 seconds and 1 day; they were {Seconds(DeepSleepAfter)} s and {Seconds(MaxPollInterval)} s.", DeepSleepAfter);
            }

            if (ItemKeys != null && (ItemKeys.Count == 0 || Continuous))
            {
                throw Invalid(
                    ErrorIds.ItemSelectionInvalid,
                    ItemKeys.Count == 0 ? "A run of chosen items needs at least one item." : "A run of chosen items ends when they are done, so it cannot be continuous.",
                    ItemKeys.Count);
            }

            // The engine's own consistency only; which parameters go together is the cmdlet's to say (StartBatchRunOptions).
            if ((BackupEvery.HasValue || BackupFirst || BackupInterval.HasValue) && (Backup == null || Backup.Paths.Count == 0 || string.IsNullOrEmpty(Backup.Destination)))
            {
                throw Invalid(ErrorIds.RunBackupInvalid, "A backup schedule (BackupEvery, BackupInterval or BackupFirst) needs a Backup with at least one path and a destination.", BackupEvery ?? 0);
            }

            if (BackupEvery is int every && every < 1)
            {
                throw Invalid(ErrorIds.RunBackupInvalid, $"BackupEvery must be 1 or more (completed batches between backups); it was {every}.", every);
            }

            if (BackupInterval is TimeSpan interval && interval < TimeSpan.FromSeconds(1))
            {
                throw Invalid(ErrorIds.RunBackupInvalid, $"BackupInterval must be at least 1 second; it was {Seconds(interval)} s. Use e.g. 04:00:00 for every 4 hours.", interval);
            }

            if (ResultPath != null)
            {
                Reporting.ResultFormats.For(Reporting.ResultPathTemplate.Parse(ResultPath).For("job", 1, 1), null);
            }

            if (Backup != null && !BatchOps.Engine.Backup.BackupPaths.IsValidStoreName(Backup.Name ?? ""))
            {
                throw Invalid(ErrorIds.BackupNameInvalid, $"The backup name '{Backup.Name}' is not valid: use letters, digits, '.', '_' and '-', starting with a letter or digit (at most 100).", Backup.Name ?? "");
            }

            Backup?.Retention?.Validate();

            if (MaxResultLength < 0)
            {
                throw Invalid(ErrorIds.MaxResultLengthInvalid, $"MaxResultLength must be 0 or more; it was {MaxResultLength}.", MaxResultLength);
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
                WriteOptional(json, "MaxMemoryPercent", MaxMemoryPercent);
                WriteOptional(json, "MaxFailureRatio", MaxFailureRatio);
                if (ItemKeys != null)
                {
                    json.WriteNumber("ChosenItems", ItemKeys.Count);
                }

                if (Continuous)
                {
                    json.WriteBoolean("Continuous", true);
                    json.WriteNumber("DeepSleepAfterSeconds", DeepSleepAfter.TotalSeconds);
                }

                if (Backup != null)
                {
                    json.WriteString("BackupDestination", Backup.Destination);
                    WriteOptional(json, "BackupEvery", (long?)BackupEvery);
                    WriteOptional(json, "BackupIntervalSeconds", BackupInterval?.TotalSeconds);
                    json.WriteBoolean("BackupFirst", BackupFirst);
                }
                if (ResultPath != null)
                {
                    json.WriteString("ResultPath", ResultPath);
                }

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

        private static string Seconds(TimeSpan span) => Wording.Seconds(span);

        private static BatchOpsException Invalid(string errorId, string message, object target) =>
            BatchOpsException.InvalidArgument(errorId, message, target);
    }
}
