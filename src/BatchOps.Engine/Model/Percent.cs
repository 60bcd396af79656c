using System;

namespace BatchOps
{
    /// <summary>One definition of "percent complete" for every view, so that they never disagree.</summary>
    internal static class Percent
    {
        /// <summary>Never above 100: counts read at different moments (a job growing under a run) must not show 160%.</summary>
        public static double Of(long part, long whole) =>
            whole <= 0 ? 0 : Math.Min(100, Math.Round(100.0 * part / whole, 1, MidpointRounding.AwayFromZero));

        /// <summary>
        /// A text progress bar for tables: "[##...] 50.0%", "[#####] 100%" (a cell, 20%, is filled only when
        /// complete). At most 13 characters: the job table gives it that, so that names keep 25 at 80 columns.
        /// </summary>
        public static string Bar(double percent, int width = 5)
        {
            double clamped = Math.Max(0, Math.Min(100, percent));
            int filled = (int)Math.Floor(clamped * width / 100.0);
            return "[" + new string('#', filled) + new string('.', width - filled) + "] " + clamped.ToString(clamped >= 100 ? "0" : "0.0", System.Globalization.CultureInfo.InvariantCulture) + "%";
        }
    }
}
