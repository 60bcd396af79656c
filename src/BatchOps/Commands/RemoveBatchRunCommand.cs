using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using BatchOps.Engine;
using BatchOps.Engine.Storage;
using BatchOps.Infrastructure;
using BatchOps.Engine.Errors;

namespace BatchOps.Commands
{
    [Cmdlet(VerbsCommon.Remove, "BatchRun", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = RunIdSet)]
    [OutputType(typeof(BatchRun))]
    public sealed class RemoveBatchRunCommand : BatchOpsCmdlet
    {
        private const string RunIdSet = "RunId";
        private const string AgeSet = "Age";

        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Name")]
        [ArgumentCompleter(typeof(JobNameCompleter))]
        public string Job { get; set; } = "";

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = RunIdSet)]
        public long[] RunId { get; set; } = new long[0];

        [Parameter(Mandatory = true, ParameterSetName = AgeSet)]
        [ValidateRange(0, 36500)]
        [Alias("OlderThan")]
        public int OlderThanDays { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? Store { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            IJobStore store = OpenStore(Store, StoreAccess.ReadWriteExisting);
            TryEngine(() =>
            {
                BatchJob job = store.GetJob(Job);
                IEnumerable<BatchRun> candidates = ParameterSetName == AgeSet
                    ? store.GetRuns(job, new RunQuery()).Where(r => (r.Ended ?? r.Started) < DateTime.Now.AddDays(-OlderThanDays))
                    : store.GetRuns(job, new RunQuery { Ids = RunId });
                var approved = new List<BatchRun>();
                foreach (BatchRun run in candidates)
                {
                    if (run.State == RunState.Running || run.State == RunState.Abandoned)
                    {
                        WriteWarning($"Run {run.RunId} of job '{job.Name}' is recorded as in progress; its record is kept (the next run of the job recovers it if its process is gone).");
                        continue;
                    }

                    if (ShouldProcess($"run {run.RunId} of job '{job.Name}' ({run.State}, started {run.Started:yyyy-MM-dd HH:mm}); its items keep their outcomes", "Remove the run's record"))
                    {
                        approved.Add(run);
                    }
                }

                if (ParameterSetName != AgeSet)
                {
                    foreach (long missing in RunId.Except(store.GetRuns(job, new RunQuery { Ids = RunId }).Select(r => r.RunId)))
                    {
                        WriteBatchOpsError(new BatchOpsException(ErrorIds.RunNotFound, BatchOpsErrorCategory.ObjectNotFound, $"Job '{job.Name}' has no run {missing}; Get-BatchRun -Job '{job.Name}' lists its runs.", missing));
                    }
                }

                IReadOnlyList<long> removed = store.RemoveRuns(job, approved.Select(r => r.RunId).ToList());
                WriteVerbose($"Removed {removed.Count:N0} run record(s) of job '{job.Name}'.");
                if (PassThru)
                {
                    WriteObject(approved.Where(r => removed.Contains(r.RunId)), enumerateCollection: true);
                }
            });
        }
    }
}
