using System;
using System.Collections.Generic;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// The items of one claim, parted by the poison rule: an item this claim would start for more than the run's
    /// attempts is failed (abandoned) instead of handed out, on every backend.
    /// </summary>
    internal sealed class ClaimSplit
    {
        private ClaimSplit(List<ClaimedItem> kept, List<string> abandoned)
        {
            Kept = kept;
            Abandoned = abandoned;
        }

        /// <summary>The items the run gets.</summary>
        public List<ClaimedItem> Kept { get; }

        /// <summary>The keys of the items failed instead.</summary>
        public List<string> Abandoned { get; }

        /// <summary>Parts <paramref name="claimed"/>; <paramref name="abandon"/> records each poison item in the claim's transaction.</summary>
        public static ClaimSplit Of(IReadOnlyList<ClaimedItem> claimed, int maxAttempts, Action<ClaimedItem> abandon)
        {
            var kept = new List<ClaimedItem>(claimed.Count);
            var abandoned = new List<string>();
            foreach (ClaimedItem item in claimed)
            {
                if (item.Attempts > maxAttempts)
                {
                    abandon(item);
                    abandoned.Add(item.Key);
                }
                else
                {
                    kept.Add(item);
                }
            }

            return new ClaimSplit(kept, abandoned);
        }
    }
}
