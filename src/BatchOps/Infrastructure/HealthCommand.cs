using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using BatchOps.Engine;
using BatchOps.Engine.Health;
using BatchOps.Engine.Storage;
using BatchOps.Engine.Errors;

namespace BatchOps.Infrastructure
{
    /// <summary>What Get-BatchHealth and Watch-BatchHealth share: the job, the vector store, the thresholds, the monitor.</summary>
    public abstract class HealthCommand : BatchOpsCmdlet
    {
        [Parameter]
        public string[]? VectorStorePath { get; set; }

        [Parameter]
        public Hashtable? Threshold { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? Store { get; set; }

        [Parameter]
        public string? BackupDestination { get; set; }

        [Parameter]
        public string? BackupName { get; set; }

        /// <summary>A monitor for the job (null: machine and vector store only). Throws BatchOpsException on bad input.</summary>
        protected HealthMonitor CreateMonitor(string? job)
        {
            HealthThresholds thresholds = HealthParameters.Thresholds(Threshold);
            IJobStore? store = null;
            BatchJob? watched = null;
            if (job != null)
            {
                store = OpenStore(Store, StoreAccess.ReadOnly);
                watched = store.GetJob(job); // a JobNotFound error now, not at the first sample
            }

            IReadOnlyList<string> vectorStore = VectorStorePaths();
            VectorStoreReading? baseline = BackupDestination == null ? null
                : BackupBaseline.For(ResolveFileSystemPath(BackupDestination, "-BackupDestination", ErrorIds.BackupDestinationInvalid), BackupName, vectorStore);
            if (store == null || watched == null || vectorStore.Count == 0)
            {
                return new HealthMonitor(store, job, vectorStore, thresholds, baseline: baseline);
            }

            // The job keeps the most its vector store held, so a later check (cron'd, or a watcher started after a loss)
            // still measures against it; the backup folder's count counts too, whichever is more.
            VectorStoreReading? kept = store.GetVectorStoreBaseline(watched, vectorStore);
            if (kept != null && (baseline == null || (kept.Items ?? 0) > (baseline.Items ?? 0)))
            {
                baseline = kept;
            }

            return new HealthMonitor(store, job, vectorStore, thresholds, baseline: baseline,
                baselineRaised: reading => KeepBaseline(watched, reading));
        }

        // A store that cannot be written (read-only file or folder) keeps no baseline; the check itself goes on.
        private void KeepBaseline(BatchJob job, VectorStoreReading reading)
        {
            try
            {
                OpenStore(Store, StoreAccess.ReadWriteExisting).KeepVectorStoreBaseline(job, reading);
            }
            catch (BatchOpsException e)
            {
                WriteVerbose($"The vector store's baseline was not kept in the job store: {e.Message}");
            }
        }

        protected IReadOnlyList<string> VectorStorePaths()
        {
            var paths = new List<string>();
            foreach (string path in VectorStorePath ?? new string[0])
            {
                paths.Add(ResolveFileSystemPath(path, "-VectorStorePath", ErrorIds.VectorStorePathInvalid));
            }

            return paths;
        }
    }
}
