using System.Management.Automation;
using BatchOps.Engine.Storage;
using BatchOps.Infrastructure;

namespace BatchOps.Commands
{
    [Cmdlet(VerbsCommon.Remove, "BatchJob", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(void))]
    public sealed class RemoveBatchJobCommand : JobChangeCommand
    {
        protected override string ChangeVerb => "remove";

        protected override string ChangeAction => "Remove";

        protected override string Describe(BatchJob job, IJobStore store) => $"job '{job.Name}' ({job.Total:N0} items) in '{store.Location}'";

        protected override void Change(IJobStore store, BatchJob job)
        {
            store.RemoveJob(job);
            WriteVerbose($"Removed job '{job.Name}' and its {job.Total:N0} item(s).");
        }
    }
}
