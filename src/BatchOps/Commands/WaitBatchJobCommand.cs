using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using BatchOps.Engine;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;
using BatchOps.Infrastructure;
using BatchOps.Engine.Errors;

namespace BatchOps.Commands
{
    [Cmdlet(VerbsLifecycle.Wait, "BatchJob")]
    [OutputType(typeof(BatchCheckpoint), typeof(BatchJob))]
    public sealed class WaitBatchJobCommand : BatchOpsCmdlet
    {
        private readonly CancellationTokenSource _cancel = new CancellationTokenSource();

        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Name")]
        [ArgumentCompleter(typeof(JobNameCompleter))]
        public string Job { get; set; } = "";

        [Parameter]
        public double? TargetPercent { get; set; }

        [Parameter]
        public SwitchParameter Complete { get; set; }

        [Parameter]
        public SwitchParameter NoFailures { get; set; }

        [Parameter]
        [Duration]
        public TimeSpan? Timeout { get; set; }

        [Parameter]
        [Duration]
        public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? Store { get; set; }

        protected override void ProcessRecord()
        {
            if (PollInterval <= TimeSpan.Zero || PollInterval > TimeSpan.FromHours(1))
            {
                ThrowTerminating(BatchOpsException.InvalidArgument(ErrorIds.PollIntervalInvalid, $"-PollInterval must be more than 0 and at most 3600 seconds; it was {Wording.Seconds(PollInterval)} seconds.", PollInterval));
            }

            IJobStore store = OpenStore(Store, StoreAccess.ReadOnly);
            var condition = new JobCondition { Complete = Complete, NoFailures = NoFailures, TargetPercent = TargetPercent };
            var waiter = new JobWaiter(store) { PollInterval = PollInterval };
            var progress = new ProgressRecord(0x0BA8, $"Waiting for job '{Job}' to reach: {condition.Describe()}", "Reading the job");
            BatchJob? latest = null;

            // The wait runs on a worker thread; the pipeline thread only writes what it reports.
            Task<BatchJob> wait = Task.Run(() => waiter.WaitAsync(Job, condition, Timeout, job => Volatile.Write(ref latest, job), _cancel.Token));
            while (Task.WaitAny(new Task[] { wait }, 250) < 0)
            {
                if (Volatile.Read(ref latest) is BatchJob seen)
                {
                    progress.StatusDescription = Wording.JobStatus(seen);
                    progress.PercentComplete = (int)Math.Min(100, Math.Floor(seen.PercentComplete));
                    WriteProgress(progress);
                }
            }

            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
            BatchJob reached;
            try
            {
                reached = wait.GetAwaiter().GetResult();
            }
            catch (BatchOpsException e)
            {
                WriteBatchOpsError(e);
                return;
            }
            catch (OperationCanceledException)
            {
                return;
            }

            WriteVerbose($"Job '{reached.Name}' reached '{condition.Describe()}': {RunReportLine(reached)}.");
            WriteObject((object?)store.GetCheckpoint(reached) ?? reached);
        }

        private static string RunReportLine(BatchJob job) => $"{job.Succeeded:N0} of {job.Total:N0} succeeded ({job.PercentComplete:0.0}%), {job.Failed:N0} failed";

        protected override void StopProcessing() => _cancel.Cancel();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _cancel.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
