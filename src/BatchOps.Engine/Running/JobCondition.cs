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

        public void Validate() => Target();

        /// <summary>The target as a value (TargetPercentInvalid when it is not a valid percentage), or null.</summary>
        private TargetPercent? Target() => TargetPercent is double target ? Running.TargetPercent.Create(target) : (TargetPercent?)null;

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

            return !(Target() is TargetPercent target) || target.IsReachedBy(job);
        }

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

            // Counted in items, so that 1,000 of 2,001 (49.975%) neither passes for 50% nor hides a target missed for good.
            if (Target() is TargetPercent target && !target.CanStillReach(job))
            {
                reasons.Add($"it finished at {(job.Total == 0 ? 0 : 100.0 * job.Succeeded / job.Total):0.0##}% succeeded, short of {target}%");
            }

            return reasons.Count == 0 ? null : $"Job '{job.Name}' has nothing left to run and {string.Join(" and ", reasons)}.";
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
