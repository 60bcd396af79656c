namespace BatchOps.Engine.Running
{
    /// <summary>When a run backs up the vector store. The name is what the backup set's manifest records as its reason.</summary>
    internal enum BackupPoint
    {
        /// <summary>Before the first batch (-BackupFirst).</summary>
        RunStart,

        /// <summary>Every BackupEvery batches or BackupInterval, at a quiet point.</summary>
        RunInterval,

        /// <summary>The work since the last backup, once the job is drained.</summary>
        RunEnd,
    }
}
