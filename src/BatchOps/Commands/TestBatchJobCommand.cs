using System.Management.Automation;
using BatchOps.Engine;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;
using BatchOps.Infrastructure;
using BatchOps.Engine.Errors;

namespace BatchOps.Commands
{
    [Cmdlet(VerbsDiagnostic.Test, "BatchJob")]
    [OutputType(typeof(bool))]
    public sealed class TestBatchJobCommand : BatchOpsCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Name")]
        [ArgumentCompleter(typeof(JobNameCompleter))]
        public string Job { get; set; } = "";

        [Parameter]
        public SwitchParameter Complete { get; set; }

        [Parameter]
        public SwitchParameter NoFailures { get; set; }

        [Parameter]
        public double? TargetPercent { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? Store { get; set; }

        protected override void ProcessRecord()
        {
            var condition = new JobCondition { Complete = Complete, NoFailures = NoFailures, TargetPercent = TargetPercent };
            try
            {
                condition.Validate();
            }
            catch (BatchOpsException e)
            {
                ThrowTerminating(e);
            }

            IJobStore store = OpenStore(Store, StoreAccess.ReadOnly);
            TryEngine(() =>
            {
                BatchJob job = store.GetJob(Job);
                bool met = condition.IsMet(job);
                WriteVerbose($"Job '{job.Name}': {Wording.JobStatus(job)}; '{condition.Describe()}' is {(met ? "met" : "not met")}.");
                WriteObject(met);
            });
        }
    }
}
