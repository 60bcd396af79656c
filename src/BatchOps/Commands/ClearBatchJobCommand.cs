using System.Management.Automation;
using BatchOps.Engine;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;
using BatchOps.Infrastructure;

namespace BatchOps.Commands
{
    /// <summary>
    /// <para type="synopsis">Forgets what a job has done: every item back to Pending; runs, results and errors deleted; items kept.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Clear, "BatchJob", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(BatchJob))]
    public sealed class ClearBatchJobCommand : BatchOpsCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Name")]
        public string[] Job { get; set; } = new string[0];

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? Store { get; set; }

        /// <summary>Clear the job even if a run appears to be processing it.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>Write the cleared job to the pipeline.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            SqliteJobStore store = OpenStore(Store, StoreAccess.ReadWriteExisting);
            foreach (string name in Job)
            {
                TryEngine(() =>
                {
                    BatchJob job = store.GetJob(name);
                    if (!Force)
                    {
                        JobGuards.RequireNoLiveRun(store, job, "clear");
                    }

                    if (ShouldProcess($"job '{job.Name}': {job.Succeeded:N0} succeeded and {job.Failed:N0} failed item(s), its runs and errors", "Clear completion records"))
                    {
                        long reset = store.ClearJob(job);
                        WriteVerbose($"Cleared job '{job.Name}': {reset:N0} item(s) are Pending again.");
                        if (PassThru)
                        {
                            WriteObject(store.GetJob(job.Name));
                        }
                    }
                });
            }
        }
    }
}
