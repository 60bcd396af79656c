using System.Management.Automation;
using BatchOps.Engine.Storage;
using BatchOps.Infrastructure;

namespace BatchOps.Commands
{
    [Cmdlet(VerbsLifecycle.Stop, "BatchRun", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(BatchCheckpoint))]
    public sealed class StopBatchRunCommand : RunSignalCommand
    {
        protected override string Action => "Stop at the next item boundary";

        protected override string Purpose => "to stop";

        protected override string Signal(IJobStore store, RunRecord run, BatchJob job)
        {
            store.RequestStop(run.Id);
            return $"Asked run {run.Id} of job '{job.Name}' to stop; it checks about once a second.";
        }
    }
}
