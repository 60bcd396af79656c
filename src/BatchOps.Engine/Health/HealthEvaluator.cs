using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using BatchOps.Engine.Platform;
using BatchOps.Engine.Storage;

namespace BatchOps.Engine.Health
{
    /// <summary>The readings one health sample is judged on. Any of them may be missing (not measured).</summary>
    public sealed class HealthInputs
    {
        public long NowMs { get; init; }

        public MemoryReading? Memory { get; init; }

        public DiskReading? Disk { get; init; }

        public BatchJob? Job { get; init; }

        public BatchCheckpoint? Checkpoint { get; init; }

        public JobActivity? Activity { get; init; }

        public VectorStoreReading? VectorStore { get; init; }

        /// <summary>The best earlier reading of the same store (most items, else most bytes): a drop from it is a loss.</summary>
        public VectorStoreReading? VectorStoreBaseline { get; init; }
    }

    /// <summary>A status with its reasons, worst first.</summary>
    public sealed class HealthVerdict
    {
        public HealthVerdict(HealthStatus status, IReadOnlyList<string> reasons, double? errorRate, long vectorStoreLoss)
        {
            Status = status;
            Reasons = reasons;
            ErrorRate = errorRate;
            VectorStoreLoss = vectorStoreLoss;
        }

        public HealthStatus Status { get; }

        public IReadOnlyList<string> Reasons { get; }

        public double? ErrorRate { get; }

        public long VectorStoreLoss { get; }
    }

    /// <summary>Turns readings into Healthy, Degraded or Critical with a reason for each figure beyond its threshold.</summary>
    public static class HealthEvaluator
    {
        public static HealthVerdict Evaluate(HealthInputs inputs, HealthThresholds thresholds)
        {
            var found = new List<(HealthStatus Severity, string Reason)>();
            void Add(HealthStatus severity, string reason) => found.Add((severity, reason));

            if (inputs.Memory is MemoryReading memory)
            {
                double used = Math.Round(memory.Percent, 1);
                if (used > thresholds.MemoryCriticalPercent)
                {
                    Add(HealthStatus.Critical, $"memory {Number(used)}% > {Number(thresholds.MemoryCriticalPercent)}% critical");
                }
                else if (used > thresholds.MemoryDegradedPercent)
                {
                    Add(HealthStatus.Degraded, $"memory {Number(used)}% > {Number(thresholds.MemoryDegradedPercent)}%");
                }
            }

            if (inputs.Disk is DiskReading disk)
            {
                double free = Math.Round(disk.FreePercent, 1);
                string where = $"disk {Number(free)}% free at {disk.Path} ({Gigabytes(disk.FreeBytes)} GB)";
                if (free < thresholds.DiskCriticalPercent)
                {
                    Add(HealthStatus.Critical, $"{where} < {Number(thresholds.DiskCriticalPercent)}% critical");
                }
                else if (free < thresholds.DiskDegradedPercent)
                {
                    Add(HealthStatus.Degraded, $"{where} < {Number(thresholds.DiskDegradedPercent)}%");
                }
            }

            double? errorRate = null;
            if (inputs.Activity is JobActivity activity)
            {
                if (activity.WindowItems >= thresholds.ErrorRateMinItems)
                {
                    double rate = Math.Round(100.0 * activity.WindowFailed / activity.WindowItems, 1);
                    errorRate = rate;
                    string text = $"error rate {Number(rate)}% over {activity.WindowItems.ToString("N0", CultureInfo.InvariantCulture)} items";
                    if (rate >= thresholds.ErrorRateCriticalPercent)
                    {
                        Add(HealthStatus.Critical, text + " critical");
                    }
                    else if (rate >= thresholds.ErrorRateDegradedPercent)
                    {
                        Add(HealthStatus.Degraded, text);
                    }
                }

                if (activity.RateLimitEvents >= thresholds.RateLimitDegradedEvents)
                {
                    Add(HealthStatus.Degraded, $"{activity.RateLimitEvents.ToString("N0", CultureInfo.InvariantCulture)} rate limit event(s) in the last {Minutes(thresholds.Window)} min");
                }

                CheckStall(inputs, activity, thresholds, Add);
            }

            if (inputs.Checkpoint is BatchCheckpoint abandoned && abandoned.State == RunState.Abandoned)
            {
                Add(HealthStatus.Critical, $"run {abandoned.RunId}'s process {abandoned.ProcessId} is gone without a final checkpoint");
            }

            if (inputs.Checkpoint is BatchCheckpoint checkpoint && checkpoint.State == RunState.Running)
            {
                switch (checkpoint.Activity)
                {
                    case RunActivity.MemoryPaused:
                        Add(HealthStatus.Degraded, "run paused for memory: " + (checkpoint.ActivityReason ?? "above the memory limit"));
                        break;
                    case RunActivity.RateLimitPaused:
                        Add(HealthStatus.Degraded, "run paused for a rate limit: " + (checkpoint.ActivityReason ?? "the processor reported one"));
                        break;
                }
            }

            long loss = CheckVectorStore(inputs, thresholds, Add);

            HealthStatus status = found.Count == 0 ? HealthStatus.Healthy : found.Max(f => f.Severity);
            List<string> reasons = found.OrderByDescending(f => f.Severity).Select(f => f.Reason).ToList();
            return new HealthVerdict(status, reasons, errorRate, loss);
        }

        private static void CheckStall(HealthInputs inputs, JobActivity activity, HealthThresholds thresholds, Action<HealthStatus, string> add)
        {
            if (activity.ActiveRuns == 0 || inputs.Job is not BatchJob job || job.Pending + job.Running == 0)
            {
                return;
            }

            BatchCheckpoint? checkpoint = inputs.Checkpoint;
            if (checkpoint != null && (checkpoint.Activity == RunActivity.Suspended || checkpoint.Activity == RunActivity.DeepSleep || checkpoint.Activity == RunActivity.Idle))
            {
                return; // asleep on purpose, not stalled
            }

            long? since = activity.LastProgressMs;
            if (since == null && checkpoint != null)
            {
                since = new DateTimeOffset(checkpoint.Started).ToUnixTimeMilliseconds();
            }

            if (since is not long sinceMs)
            {
                return;
            }

            TimeSpan quiet = TimeSpan.FromMilliseconds(Math.Max(0, inputs.NowMs - sinceMs));
            string text = $"no progress for {Minutes(quiet)} min";
            if (quiet >= thresholds.StallCritical)
            {
                add(HealthStatus.Critical, text + " critical");
            }
            else if (quiet >= thresholds.StallDegraded)
            {
                add(HealthStatus.Degraded, text);
            }
        }

        private static long CheckVectorStore(HealthInputs inputs, HealthThresholds thresholds, Action<HealthStatus, string> add)
        {
            if (inputs.VectorStore is not VectorStoreReading now)
            {
                return 0;
            }

            if (now.Missing)
            {
                add(HealthStatus.Critical, "vector store missing: " + string.Join(", ", now.Paths));
            }

            if (inputs.VectorStoreBaseline is not VectorStoreReading before)
            {
                return 0;
            }

            if (now.Items is long items && before.Items is long was)
            {
                if (items < was)
                {
                    long lost = was - items;
                    add(HealthStatus.Critical, $"vector store lost {lost.ToString("N0", CultureInfo.InvariantCulture)} vectors ({was.ToString("N0", CultureInfo.InvariantCulture)} -> {items.ToString("N0", CultureInfo.InvariantCulture)})");
                    return lost;
                }

                return 0;
            }

            if (before.Bytes > 0 && now.Bytes < before.Bytes)
            {
                double shrink = 100.0 * (before.Bytes - now.Bytes) / before.Bytes;
                if (shrink > thresholds.VectorStoreShrinkPercent)
                {
                    add(HealthStatus.Critical, $"vector store shrank by {Number(Math.Round(shrink, 1))}% ({before.Bytes.ToString("N0", CultureInfo.InvariantCulture)} -> {now.Bytes.ToString("N0", CultureInfo.InvariantCulture)} bytes)");
                    return before.Bytes - now.Bytes;
                }
            }

            return 0;
        }

        private static string Number(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

        private static string Minutes(TimeSpan span) => Wording.WholeMinutes(span);

        private static string Gigabytes(long bytes) => (bytes / 1024.0 / 1024 / 1024).ToString("0.0", CultureInfo.InvariantCulture);
    }
}
