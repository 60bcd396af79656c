using System.Collections.Generic;
using System.Management.Automation;
using BatchOps.Engine;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;
using BatchOps.Infrastructure;

namespace BatchOps.Commands
{
    /// <summary>
    /// <para type="synopsis">Asks the runs of a job, in any process, to stop: they finish the items in flight, return the rest to the queue and write their checkpoint.</para>
    /// </summary>
    [Cmdlet(VerbsLifecycle.Stop, "BatchRun", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(BatchCheckpoint))]
    public sealed class StopBatchRunCommand : BatchOpsCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Name")]
        [ArgumentCompleter(typeof(JobNameCompleter))]
        public string[] Job { get; set; } = new string[0];

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? Store { get; set; }

        /// <summary>Write the job's checkpoint after asking.</summary>
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
                    IReadOnlyList<RunRecord> live = RunRecovery.LiveRuns(store, job.Id, RunHost.Current);
                    if (live.Count == 0)
                    {
                        WriteError(ErrorRecords.From(ErrorIds.RunNotActive, ErrorCategory.InvalidOperation, $"Job '{job.Name}' has no run in progress, so there is nothing to stop.", job.Name));
                        return;
                    }

                    foreach (RunRecord run in live)
                    {
                        if (ShouldProcess($"run {run.Id} of job '{job.Name}' on {run.Host} (process {run.ProcessId})", "Stop at the next item boundary"))
                        {
                            store.RequestStop(run.Id);
                            WriteVerbose($"Asked run {run.Id} of job '{job.Name}' to stop; it checks about once a second.");
                        }
                    }

                    if (PassThru && store.GetCheckpoint(job) is BatchCheckpoint checkpoint)
                    {
                        WriteObject(checkpoint);
                    }
                });
            }
        }
    }
}
