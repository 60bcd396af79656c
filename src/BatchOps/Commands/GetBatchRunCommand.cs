using System;
using System.Management.Automation;
using BatchOps.Engine;
using BatchOps.Engine.Storage;
using BatchOps.Infrastructure;

namespace BatchOps.Commands
{
    [Cmdlet(VerbsCommon.Get, "BatchRun")]
    [OutputType(typeof(BatchRun))]
    public sealed class GetBatchRunCommand : BatchOpsCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Name")]
        [ArgumentCompleter(typeof(JobNameCompleter))]
        public string Job { get; set; } = "";

        // By RunId only: a BatchJob's own Id must not bind here when Get-BatchJob is piped in.
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public long[]? RunId { get; set; }

        [Parameter]
        public RunState? State { get; set; }

        [Parameter]
        public DateTime? Since { get; set; }

        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int? First { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? Store { get; set; }

        protected override void ProcessRecord()
        {
            IJobStore store = OpenStore(Store, StoreAccess.ReadOnly);
            TryEngine(() =>
            {
                BatchJob job = store.GetJob(Job);
                var query = new RunQuery { Ids = RunId, State = State, Since = Since.HasValue ? new DateTimeOffset(Since.Value) : (DateTimeOffset?)null, First = First };
                WriteObject(store.GetRuns(job, query), enumerateCollection: true);
            });
        }
    }
}
