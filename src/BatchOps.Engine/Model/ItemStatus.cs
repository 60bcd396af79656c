namespace BatchOps
{
    /// <summary>Where a work item stands. The numbers are stored in the job store: never renumber them.</summary>
    public enum ItemStatus
    {
        /// <summary>Waiting to be claimed by a run.</summary>
        Pending = 0,

        /// <summary>Claimed by a run, which holds a lease on it.</summary>
        Running = 1,

        /// <summary>Processed successfully; never processed again unless reset.</summary>
        Succeeded = 2,

        /// <summary>Failed on every attempt the retry limit allowed; kept for Get-BatchItem and Reset-BatchItem.</summary>
        Failed = 3,
    }
}
