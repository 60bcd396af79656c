using System.Collections.Generic;
using BatchOps.Engine.Storage;

namespace BatchOps.Engine.Running
{
    /// <summary>
    /// Outcomes one worker finished back to back, handed to the recorder in one message. A worker adds to its group
    /// only while items finish without waiting; it hands the group over before it waits for anything (a slow item, the
    /// next claim), so no finished outcome waits behind a slow item, and the recorder's channel is written once per
    /// group rather than once per item (with several workers on few cores, that lock was a hot spot). Only items that
    /// took under a millisecond are grouped; a slower one's outcome is handed over with the group at once.
    /// </summary>
    internal sealed class OutcomeGroup
    {
        /// <summary>The most outcomes one group holds before it is handed over anyway.</summary>
        public const int MaxCount = 64;

        public OutcomeGroup()
        {
            Outcomes = new List<ItemOutcome>();
            Batches = new List<long>();
        }

        /// <summary>The outcomes, in the order they finished.</summary>
        public List<ItemOutcome> Outcomes { get; }

        /// <summary>The batch of each outcome (same index).</summary>
        public List<long> Batches { get; }

        public int Count => Outcomes.Count;

        /// <summary>How many of the outcomes are successes.</summary>
        public int Succeeded { get; private set; }

        public bool IsFull => Outcomes.Count >= MaxCount;

        public void Add(ItemOutcome outcome, long batch)
        {
            Outcomes.Add(outcome);
            Batches.Add(batch);
            if (outcome.Kind == OutcomeKind.Succeeded)
            {
                Succeeded++;
            }
        }
    }
}
