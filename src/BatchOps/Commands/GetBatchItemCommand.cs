using System.Management.Automation;
using BatchOps.Engine;
using BatchOps.Engine.Storage;
using BatchOps.Infrastructure;

namespace BatchOps.Commands
{
    [Cmdlet(VerbsCommon.Get, "BatchItem")]
    [OutputType(typeof(BatchItem))]
    public sealed class GetBatchItemCommand : BatchOpsCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Name")]
        [ArgumentCompleter(typeof(JobNameCompleter))]
        public string Job { get; set; } = "";

        [Parameter]
        [ArgumentCompleter(typeof(StatusCompleter))]
        public ItemStatus? Status { get; set; }

        [Parameter(Position = 1)]
        [SupportsWildcards]
        public string[]? Key { get; set; }

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
                foreach (BatchItem item in ItemPages.Read(store, job, new ItemQuery { Status = Status, KeyPatterns = Key == null ? null : ItemKeyArguments.Patterns(this, Key) }, First))
                {
                    WriteObject(item);
                }
            });
        }
    }
}
