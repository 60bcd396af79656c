using System.Management.Automation;
using BatchOps.Engine.Storage;
using BatchOps.Infrastructure;

namespace BatchOps.Commands
{
    [Cmdlet(VerbsLifecycle.Suspend, "BatchRun", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(BatchCheckpoint))]
    public sealed class SuspendBatchRunCommand : RunSignalCommand
    {
        protected override string Action => "Suspend (deep sleep until Resume-BatchRun)";

        protected override string Purpose => "to suspend";

        protected override string Signal(IJobStore store, RunRecord run, BatchJob job)
        {
            store.RequestSuspend(run.Id, true);
            return $"Asked run {run.Id} of job '{job.Name}' to suspend; it finishes the items in flight and then sleeps until Resume-BatchRun.";
        }
    }
}
