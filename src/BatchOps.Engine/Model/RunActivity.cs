namespace BatchOps
{
    /// <summary>What a run is doing at the moment, besides plain processing. Shown in its checkpoint.</summary>
    public enum RunActivity
    {
        /// <summary>Claiming and processing items.</summary>
        Processing,
        /// <summary>Dispatch paused: memory is above -MaxMemoryPercent (items in flight go on).</summary>
        MemoryPaused,
        /// <summary>Dispatch paused for every worker: the processor reported a rate limit (HTTP 429, Retry-After).</summary>
        RateLimitPaused,
        /// <summary>Dispatch paused at a quiet point while a vector store backup is taken.</summary>
        BackingUp,
        /// <summary>-Continuous: the job is drained; polling for new items.</summary>
        Idle,
        /// <summary>-Continuous: idle for long; memory released; wakes when items are added.</summary>
        DeepSleep,
        /// <summary>Suspend-BatchRun: in deep sleep until Resume-BatchRun.</summary>
        Suspended,
        /// <summary>The run has ended; its State says how.</summary>
        Ended,
    }
}
