using System;
using System.Globalization;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Running
{
    /// <summary>
    /// "Has the job reached X% succeeded?": one rule for the runner (how many more to claim), Test-BatchJob and
    /// Wait-BatchJob (reached, or can no longer be reached). Everything is counted in whole items: X% of a job of
    /// Total items needs <see cref="CountFor"/> succeeded items (X% of Total, rounded up), so 1,000 of 2,001 is
    /// short of 50% (1,001 are needed), however a printed percentage rounds.
    /// </summary>
    public readonly struct TargetPercent : IEquatable<TargetPercent>
    {
        // Absorbs the binary error of a percentage times a total (50% of 10 is 5, not 5.000000000000001).
        private const double Tolerance = 1e-9;

        private TargetPercent(double value)
        {
            Value = value;
        }

        /// <summary>The percentage, more than 0 and at most 100.</summary>
        public double Value { get; }

        /// <summary>True for a percentage a target can be: more than 0 and at most 100.</summary>
        public static bool IsValid(double value) => !double.IsNaN(value) && value > 0 && value <= 100;

        /// <summary>The target, or null when <paramref name="value"/> is not a valid percentage (see <see cref="IsValid"/>).</summary>
        public static TargetPercent? TryCreate(double value) => IsValid(value) ? new TargetPercent(value) : (TargetPercent?)null;

        /// <summary>The target; TargetPercentInvalid (with <paramref name="advice"/> after the reason) when it is not valid.</summary>
        public static TargetPercent Create(double value, string? advice = null)
        {
            if (!IsValid(value))
            {
                string message = $"TargetPercent must be more than 0 and at most 100; it was {value.ToString(CultureInfo.InvariantCulture)}.";
                throw BatchOpsException.InvalidArgument(ErrorIds.TargetPercentInvalid, advice == null ? message : message + " " + advice, value);
            }

            return new TargetPercent(value);
        }

        /// <summary>How many succeeded items the target is for a job of <paramref name="total"/> items (rounded up).</summary>
        public long CountFor(long total) => total <= 0 ? 0 : (long)Math.Ceiling(Value / 100.0 * total - Tolerance);

        /// <summary>True when <paramref name="succeeded"/> of <paramref name="total"/> meets the target. An empty job never does.</summary>
        public bool IsReachedBy(long succeeded, long total) => total > 0 && succeeded >= CountFor(total);

        /// <summary>True when the target can still be met: it is met, or the items left could still make it.</summary>
        public bool CanStillReach(long succeeded, long remaining, long total) => total > 0 && succeeded + Math.Max(0, remaining) >= CountFor(total);

        /// <summary>How many more items must succeed, counting <paramref name="inFlight"/> as if they will; 0 once enough.</summary>
        public long StillNeeded(long succeeded, long inFlight, long total) => Math.Max(0, CountFor(total) - succeeded - inFlight);

        public bool IsReachedBy(BatchJob job) => IsReachedBy(job.Succeeded, job.Total);

        public bool CanStillReach(BatchJob job) => CanStillReach(job.Succeeded, job.Remaining, job.Total);

        public bool Equals(TargetPercent other) => Value.Equals(other.Value);

        public override bool Equals(object? obj) => obj is TargetPercent other && Equals(other);

        public override int GetHashCode() => Value.GetHashCode();

        /// <summary>As the user would write it: "50", "99.5".</summary>
        public override string ToString() => Value.ToString("0.#", CultureInfo.InvariantCulture);
    }
}
