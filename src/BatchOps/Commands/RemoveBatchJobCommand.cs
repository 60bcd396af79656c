using System.Management.Automation;
using BatchOps.Engine;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;
using BatchOps.Infrastructure;

namespace BatchOps.Commands
{
    /// <summary>
    /// <para type="synopsis">Deletes jobs with all their items, runs, checkpoints and error records.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "BatchJob", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(void))]
    public sealed class RemoveBatchJobCommand : BatchOpsCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Name")]
        public string[] Job { get; set; } = new string[0];

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? Store { get; set; }

        /// <summary>Remove the job even if a run appears to be processing it.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

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
                        JobGuards.RequireNoLiveRun(store, job, "remove");
                    }

                    if (ShouldProcess($"job '{job.Name}' ({job.Total:N0} items) in '{store.Location}'", "Remove"))
                    {
                        store.RemoveJob(job);
                        WriteVerbose($"Removed job '{job.Name}' and its {job.Total:N0} item(s).");
                    }
                });
            }
        }
    }
}
