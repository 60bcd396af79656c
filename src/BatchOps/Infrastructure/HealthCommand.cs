using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using BatchOps.Engine;
using BatchOps.Engine.Health;
using BatchOps.Engine.Storage;

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
            HealthThresholds thresholds = HealthWatch.ThresholdsFrom(Threshold);
            SqliteJobStore? store = null;
            if (job != null)
            {
                store = OpenStore(Store, StoreAccess.ReadOnly);
                store.GetJob(job); // a JobNotFound error now, not at the first sample
            }

            IReadOnlyList<string> vectorStore = VectorStorePaths();
            VectorStoreReading? baseline = BackupDestination == null ? null
                : BackupBaseline.For(ResolveFileSystemPath(BackupDestination, "-BackupDestination", ErrorIds.BackupDestinationInvalid), BackupName, vectorStore);
            return new HealthMonitor(store, job, vectorStore, thresholds, baseline: baseline);
        }

        protected IReadOnlyList<string> VectorStorePaths()
        {
            var paths = new List<string>();
            foreach (string path in VectorStorePath ?? new string[0])
            {
                paths.Add(ResolveFileSystemPath(path, "-VectorStorePath", ErrorIds.BackupSourceInvalid));
            }

            return paths;
        }
    }
}
