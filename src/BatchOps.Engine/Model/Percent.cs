using System;

namespace BatchOps
{
    /// <summary>One definition of "percent complete" for every view, so that they never disagree.</summary>
    internal static class Percent
    {
        public static double Of(long part, long whole) =>
            whole <= 0 ? 0 : Math.Round(100.0 * part / whole, 1, MidpointRounding.AwayFromZero);
    }
}
