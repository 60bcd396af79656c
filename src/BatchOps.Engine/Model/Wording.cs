using System;
using System.Globalization;

namespace BatchOps
{
    /// <summary>
    /// The words and units a person reads, in one place, so that every command, log and message says the same thing
    /// the same way: a job's status sentence, durations, seconds, sizes, and why an item was given up. Invariant
    /// culture throughout (logs and scripts parse them). Kept in Model, which depends on no other engine folder, so
    /// that any folder may use it.
    /// </summary>
    public static class Wording
    {
        /// <summary>What an item that was never finished is told, when the run that held it died on every attempt.</summary>
        public const string AbandonedOnEveryAttempt = "Given up: the run processing it was killed or crashed on every attempt.";

        /// <summary>"1,000 of 2,001 succeeded (50.0%), 3 failed, 998 remaining".</summary>
        public static string JobStatus(BatchJob job) =>
            string.Format(
                CultureInfo.InvariantCulture,
                "{0:N0} of {1:N0} succeeded ({2:0.0}%), {3:N0} failed, {4:N0} remaining",
                job.Succeeded,
                job.Total,
                job.PercentComplete,
                job.Failed,
                job.Remaining);

        /// <summary>"850 ms", "12.5 s", "19m 21s", "3h 04m".</summary>
        public static string Duration(TimeSpan span)
        {
            if (span < TimeSpan.FromSeconds(1))
            {
                return string.Format(CultureInfo.InvariantCulture, "{0:0} ms", span.TotalMilliseconds);
            }

            if (span < TimeSpan.FromMinutes(1))
            {
                return string.Format(CultureInfo.InvariantCulture, "{0:0.0} s", span.TotalSeconds);
            }

            if (span < TimeSpan.FromHours(1))
            {
                return string.Format(CultureInfo.InvariantCulture, "{0}m {1:00}s", (int)span.TotalMinutes, span.Seconds);
            }

            return string.Format(CultureInfo.InvariantCulture, "{0}h {1:00}m", (int)span.TotalHours, span.Minutes);
        }

        /// <summary>A span as a number of seconds, to the millisecond: "0.25", "5", "-1", "3600".</summary>
        public static string Seconds(TimeSpan span) => Seconds(span.TotalSeconds);

        /// <summary>A number of seconds, to the millisecond: "0.25", "5", "NaN".</summary>
        public static string Seconds(double seconds) => seconds.ToString("0.###", CultureInfo.InvariantCulture);

        /// <summary>A span as minutes, to two decimals: "10", "0.5" (for thresholds a person set).</summary>
        public static string Minutes(TimeSpan span) => span.TotalMinutes.ToString("0.##", CultureInfo.InvariantCulture);

        /// <summary>A span as whole minutes, rounded down: "12" (for how long something has lasted).</summary>
        public static string WholeMinutes(TimeSpan span) => Math.Floor(span.TotalMinutes).ToString("0", CultureInfo.InvariantCulture);

        /// <summary>Bytes as a person reads them: 512 bytes, 12.0 KB, 2.0 MB, 1.5 GB.</summary>
        public static string Size(long bytes)
        {
            if (bytes < 1024)
            {
                return bytes.ToString(CultureInfo.InvariantCulture) + " bytes";
            }

            string[] units = { "KB", "MB", "GB", "TB" };
            double value = bytes;
            int unit = -1;
            do
            {
                value /= 1024;
                unit++;
            }
            while (value >= 1024 && unit < units.Length - 1);

            return value.ToString("0.0", CultureInfo.InvariantCulture) + " " + units[unit];
        }

        /// <summary>Why an item was given up after runs holding it died <paramref name="starts"/> times (an item's last error).</summary>
        public static string Abandoned(int starts) =>
            string.Format(
                CultureInfo.InvariantCulture,
                "Given up after {0} starts that never finished: the run processing it was killed or crashed each time (out of memory?). Fix the cause, then reset the item to try again.",
                starts);
    }
}
