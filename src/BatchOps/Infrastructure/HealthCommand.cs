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

            return new HealthMonitor(store, job, VectorStorePaths(), thresholds);
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
