using System.Collections.Generic;

namespace BatchOps.Engine.Storage
{
    /// <summary>Reads a job's items page by page, so that a million-item job streams instead of loading at once.</summary>
    public static class ItemPages
    {
        public const int DefaultPageSize = 1_000;

        /// <summary>The items matching <paramref name="filter"/> (its paging fields are ignored), at most <paramref name="first"/>.</summary>
        public static IEnumerable<BatchItem> Read(IJobStore store, BatchJob job, ItemQuery filter, long? first = null, int pageSize = DefaultPageSize)
        {
            long afterId = 0;
            long left = first ?? long.MaxValue;
            while (left > 0)
            {
                IReadOnlyList<BatchItem> page = store.GetItems(job, new ItemQuery
                {
                    Status = filter.Status,
                    RunId = filter.RunId,
                    Batch = filter.Batch,
                    KeyPatterns = filter.KeyPatterns,
                    IncludePayload = filter.IncludePayload,
                    AfterId = afterId,
                    First = (int)System.Math.Min(pageSize, left),
                });
                foreach (BatchItem item in page)
                {
                    yield return item;
                }

                if (page.Count < pageSize)
                {
                    yield break;
                }

                left -= page.Count;
                afterId = page[page.Count - 1].Id;
            }
        }
    }
}
