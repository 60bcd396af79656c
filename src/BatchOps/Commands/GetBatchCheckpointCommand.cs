using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using BatchOps.Engine;
using BatchOps.Engine.Storage;
using BatchOps.Infrastructure;

namespace BatchOps.Commands
{
    [Cmdlet(VerbsCommon.Get, "BatchCheckpoint")]
    [OutputType(typeof(BatchCheckpoint))]
    public sealed class GetBatchCheckpointCommand : BatchOpsCmdlet
    {
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Name")]
        [ArgumentCompleter(typeof(JobNameCompleter))]
        public string[]? Job { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? Store { get; set; }

        protected override void ProcessRecord()
        {
            IJobStore store = OpenStore(Store, StoreAccess.ReadOnly);
            IEnumerable<string> names = Job != null && Job.Length > 0 ? Job : store.GetJobs().Select(j => j.Name);
            bool named = Job != null && Job.Length > 0;
            foreach (string name in names)
            {
                TryEngine(() =>
                {
                    BatchJob job = store.GetJob(name);
                    BatchCheckpoint? checkpoint = store.GetCheckpoint(job);
                    if (checkpoint != null)
                    {
                        WriteObject(checkpoint);
                    }
                    else if (named)
                    {
                        WriteWarning($"Job '{job.Name}' has not run yet: it has {job.Total:N0} item(s) and no checkpoint. Start it with Start-BatchRun -Job '{job.Name}'.");
                    }
                });
            }
        }
    }
}
