using System.Collections.Generic;
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
        private const int PageSize = 1_000;

        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Name")]
        public string Job { get; set; } = "";

        /// <summary>Only items with this status (Pending, Running, Succeeded, Failed).</summary>
        [Parameter]
        public ItemStatus? Status { get; set; }

        /// <summary>Only items with these keys; wildcards are allowed.</summary>
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
                long afterId = 0;
                long left = First ?? long.MaxValue;

                // Paged, so that a million-item job streams instead of loading at once.
                while (left > 0)
                {
                    IReadOnlyList<BatchItem> page = store.GetItems(job, new ItemQuery
                    {
                        Status = Status,
                        KeyPatterns = Key,
                        AfterId = afterId,
                        First = (int)System.Math.Min(PageSize, left),
                    });
                    WriteObject(page, enumerateCollection: true);
                    if (page.Count < PageSize)
                    {
                        break;
                    }

                    left -= page.Count;
                    afterId = page[page.Count - 1].Id;
                }
            });
        }
    }
}
