using System.Management.Automation;
using BatchOps.Engine.Storage;
using BatchOps.Infrastructure;

namespace BatchOps.Commands
{
    [Cmdlet(VerbsLifecycle.Resume, "BatchRun", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(BatchCheckpoint))]
    public sealed class ResumeBatchRunCommand : RunSignalCommand
    {
        protected override string Action => "Resume";

        protected override string Purpose => "to resume";

        protected override string Signal(IJobStore store, RunRecord run, BatchJob job)
        {
            store.RequestSuspend(run.Id, false);
            return $"Asked run {run.Id} of job '{job.Name}' to resume; it wakes within about a second.";
        }
    }
}
