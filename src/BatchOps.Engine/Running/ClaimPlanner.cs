using System;

namespace BatchOps.Engine.Running
{
    /// <summary>What the dispatcher does next, as <see cref="ClaimPlanner.Plan"/> decides it.</summary>
    internal enum ClaimDecision
    {
        /// <summary>Claim <see cref="ClaimPlan.Count"/> items.</summary>
        Claim,

        /// <summary>MaxItems items were claimed: the run ends.</summary>
        StopMaxItemsReached,

        /// <summary>The target is met with nothing in flight: the run ends.</summary>
        StopTargetReached,

        /// <summary>The target looks met with nothing in flight: read the job again (items may have been added), then plan again.</summary>
        RefreshTarget,

        /// <summary>The items in flight may be enough for the target: wait until one of them finishes, then plan again.</summary>
        WaitForOutcome,

        /// <summary>The queue ahead of the workers is full: wait for room for <see cref="ClaimPlan.Count"/> more items.</summary>
        WaitForRoom,
    }

    /// <summary>Where the run stands when the dispatcher is about to claim (plain numbers: see <see cref="ClaimPlanner"/>).</summary>
    internal struct ClaimInputs
    {
        public int BatchSize;

        public int ThrottleLimit;

        /// <summary>Whole batches to keep queued ahead of the workers (the prefetch; 1 with a BatchDelay).</summary>
        public int BatchesAhead;

        /// <summary>A BatchDelay was asked for: one batch at a time, finished before the next.</summary>
        public bool Barrier;

        /// <summary>Items claimed and not yet handed to the recorder.</summary>
        public long Held;

        public long? MaxItems;

        /// <summary>Items this run has claimed so far (for MaxItems).</summary>
        public long ClaimedThisRun;

        public TargetPercent? Target;

        /// <summary>The job's succeeded items: as the run started, plus what this run has finished since.</summary>
        public long Succeeded;

        /// <summary>The job's items, as last read.</summary>
        public long Total;

        /// <summary>The job was read again since the target last looked met (see <see cref="ClaimDecision.RefreshTarget"/>).</summary>
        public bool TargetRefreshed;

        /// <summary>Batches the run may still start before a backup is due (BackupEvery), or null.</summary>
        public long? BatchesUntilBackup;
    }

    /// <summary>The dispatcher's next step and, for a claim or a wait for room, how many items.</summary>
    internal readonly struct ClaimPlan
    {
        public ClaimPlan(ClaimDecision decision, long count = 0, long window = 0)
        {
            Decision = decision;
            Count = count;
            Window = window;
        }

        public ClaimDecision Decision { get; }

        public long Count { get; }

        /// <summary>The most items the run holds at once (workers plus the batches queued ahead of them).</summary>
        public long Window { get; }

        public override string ToString() => $"{Decision} {Count} (window {Window})";
    }

    /// <summary>
    /// How many items to claim next: whole batches, as many as the window (ThrottleLimit plus the batches queued ahead)
    /// has room for, within MaxItems, what the target still needs, and the batches left before a backup is due. Pure:
    /// numbers in, a decision out; the dispatcher does the waiting and the claiming.
    /// </summary>
    internal static class ClaimPlanner
    {
        public static ClaimPlan Plan(in ClaimInputs run)
        {
            long window = run.ThrottleLimit + (long)run.BatchSize * run.BatchesAhead;
            long held = run.Held;
            long want = run.Barrier ? run.BatchSize : Math.Max(run.BatchSize, (window - held) / run.BatchSize * run.BatchSize);
            if (run.MaxItems is long maxItems)
            {
                long left = maxItems - run.ClaimedThisRun;
                if (left <= 0)
                {
                    return new ClaimPlan(ClaimDecision.StopMaxItemsReached, 0, window);
                }

                want = Math.Min(want, left);
            }

            if (run.Target is TargetPercent target)
            {
                // Claim only what the target still needs, counting items in flight as if they will succeed; if some
                // fail, the next pass claims more. The target is a share of the job as it is now: before calling it
                // reached, the job is read again in case items were added meanwhile.
                long needed = target.StillNeeded(run.Succeeded, held, run.Total);
                if (needed <= 0)
                {
                    if (held > 0)
                    {
                        return new ClaimPlan(ClaimDecision.WaitForOutcome, 0, window);
                    }

                    return new ClaimPlan(run.TargetRefreshed ? ClaimDecision.StopTargetReached : ClaimDecision.RefreshTarget, 0, window);
                }

                want = Math.Min(want, needed);
            }

            if (run.BatchesUntilBackup is long batches)
            {
                want = Math.Min(want, batches * run.BatchSize);
            }

            if (held > 0 && held + want > window)
            {
                return new ClaimPlan(ClaimDecision.WaitForRoom, want, window);
            }

            return new ClaimPlan(ClaimDecision.Claim, want, window);
        }
    }
}
