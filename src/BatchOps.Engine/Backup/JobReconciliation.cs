using BatchOps.Engine.Storage;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Backup
{
    /// <summary>
    /// The job half of a restore (Restore-VectorStore -Job, Watch-BatchHealth -AutoRestore of a run's set): the items
    /// of the job that succeeded after the restored set was taken (after its <see cref="BackupJobMark"/>) and
    /// before the restore began go back to pending, because the restored store does not hold their results. It is
    /// recorded in the restore's journal before any file is swapped and applied once the swap is committed, so a
    /// restore killed in between is finished, items included, by the next restore, backup or watch of those paths.
    /// The window makes it safe to apply twice: an item finished again after the restore began is never touched.
    /// </summary>
    public sealed class JobReconciliation
    {
        /// <summary>The job store (full path).</summary>
        public string Store { get; set; } = "";

        public string Job { get; set; } = "";

        /// <summary>The set's high-water mark (Unix ms on the store's clock): items that succeeded after it ...</summary>
        public long AfterMs { get; set; }

        /// <summary>... and before the restore began are returned to pending.</summary>
        public long BeforeMs { get; set; }

        /// <summary>
        /// Checks that the set can reconcile the job (a run of that job took it; the store and the job exist) before
        /// anything is written; the window's end is fixed again when the restore begins (<see cref="Begin"/>).
        /// </summary>
        public static JobReconciliation Prepare(VectorStoreBackup backup, string storePath, string job)
        {
            if (backup.Job == null)
            {
                throw new BatchOpsException(
                    ErrorIds.RestoreNotReconcilable,
                    BatchOpsErrorCategory.InvalidOperation,
                    $"The backup set '{backup.Name}' records no job (neither a run nor a backup for a job took it), so which items of job '{job}' finished after it cannot be told; nothing was restored.",
                    backup.Path);
            }

            // A job the store does not have is named as such (JobNotFound), before any comparison with the set's job.
            using IJobStore store = JobStoreFactory.Open(storePath, StoreAccess.ReadWriteExisting);
            BatchJob found = store.GetJob(job);
            if (!string.Equals(backup.Job.Job, job, System.StringComparison.Ordinal))
            {
                throw new BatchOpsException(
                    ErrorIds.RestoreJobMismatch,
                    BatchOpsErrorCategory.InvalidArgument,
                    $"The backup set '{backup.Name}' was taken by a run of job '{backup.Job.Job}', not '{job}'; nothing was restored.",
                    backup.Path);
            }

            return new JobReconciliation { Store = store.Location, Job = found.Name, AfterMs = backup.Job.TakenMs, BeforeMs = store.NowMs() };
        }

        /// <summary>
        /// Fixes the window's end at the store's clock now: called as the restore writes its journal, after the files
        /// are staged and the job's runs were suspended, so items finished until then are returned too.
        /// </summary>
        public void Begin()
        {
            using IJobStore store = JobStoreFactory.Open(Store, StoreAccess.ReadWriteExisting);
            BeforeMs = store.NowMs();
        }

        /// <summary>Returns the items to pending; how many. A store or job removed since is nothing to reconcile (0).</summary>
        public long Apply()
        {
            try
            {
                using IJobStore store = JobStoreFactory.Open(Store, StoreAccess.ReadWriteExisting);
                BatchJob? job = store.FindJob(Job);
                return job == null ? 0 : store.ReturnFinishedToPending(job, AfterMs, BeforeMs);
            }
            catch (BatchOpsException e) when (e.ErrorId == ErrorIds.StoreNotFound)
            {
                return 0;
            }
        }
    }
}
