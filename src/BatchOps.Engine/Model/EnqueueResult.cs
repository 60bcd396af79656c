namespace BatchOps
{
    /// <summary>What adding items to a job did. Add-BatchItem writes one of these.</summary>
    public sealed class EnqueueResult
    {
        public string Job { get; init; } = "";

        /// <summary>Keys that were new to the job.</summary>
        public long Added { get; init; }

        /// <summary>Keys the job already had, still pending or running: not added again.</summary>
        public long AlreadyQueued { get; init; }

        /// <summary>Keys the job already had and had finished (succeeded or failed): not added again.</summary>
        public long AlreadyDone { get; init; }

        /// <summary>Items in the job after the add.</summary>
        public long Total { get; init; }

        public string Store { get; init; } = "";
    }
}
