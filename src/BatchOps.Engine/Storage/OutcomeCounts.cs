using System;
using System.Collections.Generic;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// The outcomes a commit's store accepted, counted by kind for the job's and the run's counters; each accepted
    /// failure also gets its line in the error log. An outcome refused (its lease was lost) counts for nothing.
    /// </summary>
    internal readonly struct OutcomeCounts
    {
        private OutcomeCounts(long succeeded, long failed, long released)
        {
            Succeeded = succeeded;
            Failed = failed;
            Released = released;
        }

        public long Succeeded { get; }

        public long Failed { get; }

        public long Released { get; }

        /// <summary>Counts the accepted outcomes; <paramref name="logFailure"/> writes the line of each accepted failure.</summary>
        public static OutcomeCounts Of(IReadOnlyList<ItemOutcome> outcomes, bool[] accepted, Action<ItemOutcome> logFailure)
        {
            long succeeded = 0, failed = 0, released = 0;
            for (int i = 0; i < outcomes.Count; i++)
            {
                if (!accepted[i])
                {
                    continue;
                }

                ItemOutcome outcome = outcomes[i];
                switch (outcome.Kind)
                {
                    case OutcomeKind.Succeeded:
                        succeeded++;
                        break;
                    case OutcomeKind.Failed:
                        failed++;
                        logFailure(outcome);
                        break;
                    default:
                        released++;
                        break;
                }
            }

            return new OutcomeCounts(succeeded, failed, released);
        }
    }
}
