using System;
using System.Globalization;

namespace BatchOps.Engine.Running
{
    /// <summary>Numbers as a run's notices print them: seconds, percentages and megabytes, invariant.</summary>
    internal static class RunWording
    {
        public static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);

        public static string Percent(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

        public static string Megabytes(long bytes) => (bytes / 1024.0 / 1024).ToString("0", CultureInfo.InvariantCulture);
    }
}
