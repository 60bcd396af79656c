using System;

namespace BatchOps
{
    /// <summary>
    /// Where a job stood when a run backed up its vector store (recorded in the set's manifest): every item of the job
    /// that succeeded up to <see cref="Taken"/> has its results in the set; items that succeeded after it do not (the
    /// run claims nothing until the store's clock has passed the mark, so none of its later items shares the mark's
    /// millisecond). A restore with the job (Restore-VectorStore -Job) returns exactly those later items to pending, so the job
    /// and the restored store agree again.
    /// </summary>
    public sealed class BackupJobMark
    {
        /// <summary>The job store (full path) the run used.</summary>
        public string Store { get; init; } = "";

        public string Job { get; init; } = "";

        /// <summary>The run that took the set; 0 for Backup-VectorStore -Job.</summary>
        public long RunId { get; init; }

        /// <summary>The batches of that run completed when the set was taken (all of them: a run backs up at a quiet point).</summary>
        public long Batches { get; init; }

        /// <summary>The store's clock when the set was taken, in Unix milliseconds: the high-water mark.</summary>
        public long TakenMs { get; init; }

        [System.Text.Json.Serialization.JsonIgnore]
        public DateTime Taken => Times.Local(TakenMs);

        public override string ToString() => RunId > 0 ? $"run {RunId} of job '{Job}' after batch {Batches}" : $"a backup of job '{Job}' outside a run";

        /// <summary>A mark for a backup that is not a run's (a backup taken for the job by hand): the job as it stands now.</summary>
        public static BackupJobMark Now(string store, BatchJob job, long storeNowMs) =>
            new BackupJobMark { Store = store, Job = job.Name, TakenMs = storeNowMs };
    }
}
