using System;
using System.Globalization;
using BatchOps.Engine.Running;

namespace BatchOps.Engine.Reporting
{
    /// <summary>
    /// The words a run shows a person: the per-batch live lines, progress status, failures and the final
    /// summary. Kept here so that every host (cmdlet, log file, tests) says the same thing the same way.
    /// </summary>
    public static class RunReport
    {
        public static string Activity(string job, long runId) => string.Format(CultureInfo.InvariantCulture, "BatchOps: job '{0}' (run {1})", job, runId);

        public static string BatchLine(BatchCompletedEvent batch)
        {
            ProgressSnapshot p = batch.Progress;
            string released = batch.Released > 0 ? string.Format(CultureInfo.InvariantCulture, ", {0} released", batch.Released) : "";
            return string.Format(
                CultureInfo.InvariantCulture,
                "[{0:HH:mm:ss}] Batch {1} complete: {2} succeeded, {3} failed{4} in {5} | {6}",
                batch.Time,
                batch.Number,
                batch.Succeeded,
                batch.Failed,
                released,
                Wording.Duration(batch.Duration),
                Status(p));
        }

        /// <summary>"60 of 1,000 done (6.0%), 2 failed, 48.5 items/s, about 19m 21s left".</summary>
        public static string Status(ProgressSnapshot p)
        {
            string failed = p.Failed > 0 ? string.Format(CultureInfo.InvariantCulture, ", {0:N0} failed", p.Failed) : "";
            string eta = p.Eta is TimeSpan left && p.Remaining > 0 ? ", about " + Wording.Duration(left) + " left" : "";
            return string.Format(
                CultureInfo.InvariantCulture,
                "{0:N0} of {1:N0} done ({2:0.0}%){3}, {4:0.#} items/s{5}",
                p.Succeeded,
                p.Total,
                p.PercentComplete,
                failed,
                p.ItemsPerSecond,
                eta);
        }

        /// <summary>A whole percentage for Write-Progress (0 to 100).</summary>
        public static int PercentForProgressBar(ProgressSnapshot p) => p.Total <= 0 ? 0 : (int)Math.Max(0, Math.Min(100, Math.Floor(100.0 * (p.Succeeded + p.Failed) / p.Total)));

        public static string ItemFailed(ItemFailedEvent e) =>
            string.Format(CultureInfo.InvariantCulture, "Item '{0}' failed after {1} attempt(s): {2}", e.Key, e.Attempts, e.Error);

        public static string ItemRetrying(ItemRetryingEvent e) =>
            string.Format(CultureInfo.InvariantCulture, "Item '{0}' attempt {1} failed, retrying: {2}", e.Key, e.Attempt, e.Error);

        public static string Summary(BatchRunSummary s) =>
            string.Format(
                CultureInfo.InvariantCulture,
                "Run {0} of '{1}' {2} ({3}): {4:N0} succeeded, {5:N0} failed, {6:N0} skipped (already done), {7:N0} remaining, in {8} ({9:0.#} items/s).",
                s.RunId,
                s.Job,
                s.State,
                s.StopReason,
                s.Succeeded,
                s.Failed,
                s.Skipped,
                s.Remaining,
                Wording.Duration(s.Duration),
                s.ItemsPerSecond);
    }
}
