using System;
using System.Collections.Generic;
using System.Globalization;

namespace BatchOps.Engine.Running
{
    /// <summary>
    /// What Test-BatchJob and Wait-BatchJob check: the job is complete (nothing pending or running), has no failed
    /// items, and/or has reached a percentage of succeeded items. Every condition given must hold.
    /// </summary>
    public sealed class JobCondition
    {
        public bool Complete { get; init; }

        public bool NoFailures { get; init; }

        public double? TargetPercent { get; init; }

        /// <summary>With no condition given, "complete" is meant.</summary>
        public bool IsEmpty => !Complete && !NoFailures && TargetPercent == null;

        public void Validate()
        {
            if (TargetPercent is double target && (double.IsNaN(target) || target <= 0 || target > 100))
            {
                throw BatchOpsException.InvalidArgument(ErrorIds.InvalidTargetPercent, $"TargetPercent must be more than 0 and at most 100; it was {target.ToString(CultureInfo.InvariantCulture)}.", target);
            }
        }

        public bool IsMet(BatchJob job)
        {
            bool complete = Complete || IsEmpty;
            if (complete && job.Remaining > 0)
            {
                return false;
            }

            if (NoFailures && job.Failed > 0)
            {
                return false;
            }

            return !(TargetPercent is double target) || ReachedPercent(job, target);
        }

        // Compared on the unrounded share, so that 49.975% neither passes for 50% nor hides a target missed for good.
        private static bool ReachedPercent(BatchJob job, double target) =>
            job.Total > 0 && 100.0 * job.Succeeded / job.Total >= target - 1e-9;

        /// <summary>
        /// Why the condition can no longer be met (the job has nothing left to run), or null while it still can.
        /// </summary>
        public string? Unreachable(BatchJob job)
        {
            if (IsMet(job) || job.Remaining > 0)
            {
                return null;
            }

            var reasons = new List<string>();
            if (NoFailures && job.Failed > 0)
            {
                reasons.Add($"{job.Failed:N0} item(s) failed");
            }

            if (TargetPercent is double target && !ReachedPercent(job, target))
            {
                reasons.Add($"it finished at {(job.Total == 0 ? 0 : 100.0 * job.Succeeded / job.Total):0.0##}% succeeded, short of {target:0.#}%");
            }

            return reasons.Count == 0 ? null : $"Job '{job.Name}' has nothing left to run and {string.Join(" and ", reasons)}. Reset the failed items (Reset-BatchItem) and run it again.";
        }

        public string Describe()
        {
            var parts = new List<string>();
            if (Complete || IsEmpty)
            {
                parts.Add("complete");
            }

            if (NoFailures)
            {
                parts.Add("no failures");
            }

            if (TargetPercent is double target)
            {
                parts.Add(target.ToString("0.#", CultureInfo.InvariantCulture) + "% succeeded");
            }

            return string.Join(", ", parts);
        }
    }
}
