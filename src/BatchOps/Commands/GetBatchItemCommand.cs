using System.Management.Automation;
using BatchOps.Engine;
using BatchOps.Engine.Storage;
using BatchOps.Infrastructure;

namespace BatchOps.Commands
{
    /// <summary>
    /// <para type="synopsis">Gets a job's items with their status, attempts, last error and result.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "BatchItem")]
    [OutputType(typeof(BatchItem))]
    public sealed class GetBatchItemCommand : BatchOpsCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Name")]
        [ArgumentCompleter(typeof(JobNameCompleter))]
        public string Job { get; set; } = "";

        /// <summary>Only items with this status (Pending, Running, Succeeded, Failed).</summary>
        [Parameter]
        [ArgumentCompleter(typeof(StatusCompleter))]
        public ItemStatus? Status { get; set; }

        /// <summary>Only items with these keys; wildcards are allowed, and a relative path to a file stands for its full path.</summary>
        [Parameter(Position = 1)]
        [SupportsWildcards]
        public string[]? Key { get; set; }

        /// <summary>At most this many items, in the order they were added.</summary>
        [Parameter]
        public int? First { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? Store { get; set; }

        protected override void ProcessRecord()
        {
            SqliteJobStore store = OpenStore(Store, StoreAccess.ReadOnly);
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
