using System.Management.Automation;
using BatchOps.Engine.Storage;
using BatchOps.Infrastructure;

namespace BatchOps.Commands
{
    [Cmdlet(VerbsCommon.Clear, "BatchJob", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(BatchJob))]
    public sealed class ClearBatchJobCommand : JobChangeCommand
    {
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override string ChangeVerb => "clear";

        protected override string ChangeAction => "Clear completion records";

        protected override string Describe(BatchJob job, IJobStore store) =>
            $"job '{job.Name}': {job.Succeeded:N0} succeeded and {job.Failed:N0} failed item(s), its runs and errors";

        protected override void Change(IJobStore store, BatchJob job)
        {
            long reset = store.ClearJob(job);
            WriteVerbose($"Cleared job '{job.Name}': {reset:N0} item(s) are Pending again.");
            if (PassThru)
            {
                WriteObject(store.GetJob(job.Name));
            }
        }
    }
}
