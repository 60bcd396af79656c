using System.Management.Automation;
using BatchOps.Engine;
using BatchOps.Engine.Reporting;
using BatchOps.Engine.Storage;
using BatchOps.Infrastructure;

namespace BatchOps.Commands
{
    [Cmdlet(VerbsCommon.Get, "BatchResult")]
    [OutputType(typeof(PSObject))]
    public sealed class GetBatchResultCommand : BatchOpsCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Name")]
        [ArgumentCompleter(typeof(JobNameCompleter))]
        public string Job { get; set; } = "";

        [Parameter]
        [ArgumentCompleter(typeof(StatusCompleter))]
        public ItemStatus? Status { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("RunId")]
        public long? Run { get; set; }

        [Parameter]
        public long? Batch { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? Store { get; set; }

        protected override void ProcessRecord()
        {
            IJobStore store = OpenStore(Store, StoreAccess.ReadOnly);
            TryEngine(() =>
            {
                BatchJob job = store.GetJob(Job);
                var query = new ItemQuery { Status = Status, RunId = Run, Batch = Batch, IncludePayload = false };
                foreach (BatchItem item in ItemPages.Read(store, job, query))
                {
                    WriteObject(ToResult(item));
                }
            });
        }

        /// <summary>The item's row (see ResultRow) as an object: Export-Csv gives a JSON-object result's fields columns.</summary>
        internal static PSObject ToResult(BatchItem item)
        {
            var result = new PSObject();
            result.TypeNames.Insert(0, "BatchOps.BatchResult");
            foreach (ResultCell cell in ResultRow.Of(item))
            {
                result.Properties.Add(new PSNoteProperty(cell.Name, cell.Value));
            }

            return result;
        }
    }
}
