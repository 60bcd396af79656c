using System.Management.Automation;
using BatchOps.Engine.Storage;
using BatchOps.Infrastructure;

namespace BatchOps.Commands
{
    /// <summary>
    /// <para type="synopsis">Puts the runs of a job into deep sleep until Resume-BatchRun: they finish the items in flight, return the rest to the queue, release memory and wait.</para>
    /// </summary>
    [Cmdlet(VerbsLifecycle.Suspend, "BatchRun", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(BatchCheckpoint))]
    public sealed class SuspendBatchRunCommand : RunSignalCommand
    {
        protected override string Action => "Suspend (deep sleep until Resume-BatchRun)";

        protected override string Purpose => "to suspend";

        protected override string Signal(SqliteJobStore store, RunRecord run, BatchJob job)
        {
            store.RequestSuspend(run.Id, true);
            return $"Asked run {run.Id} of job '{job.Name}' to suspend; it finishes the items in flight and then sleeps until Resume-BatchRun.";
        }
    }
}
