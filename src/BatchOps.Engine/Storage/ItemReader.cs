using System.Collections.Generic;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// Item queries of a job catalog, on every backend: pages of items by status, run, batch and key, and the batches
    /// that finished them (<see cref="ItemSql"/>). A key wildcard is matched by the backend's rule
    /// (<see cref="StoreDialect.KeyMatch"/>), which selects the same items on both.
    /// </summary>
    internal sealed class ItemReader
    {
        private readonly IStoreSession _s;

        public ItemReader(IStoreSession session) => _s = session;

        public IReadOnlyList<BatchItem> GetItems(BatchJob job, ItemQuery query) => _s.Guarded(() =>
        {
            // Paging a whole job (or its successes) walks the table in id order; pending, running and failed items,
            // keys and batches have indexes of their own.
            bool walk = (query.KeyPatterns == null || query.KeyPatterns.Count == 0) && query.Batch == null && (query.Status == null || query.Status == ItemStatus.Succeeded);
            StoreDialect dialect = _s.Dialect;
            (string sql, (string, object?)[] args) = ItemSql.Query(job.Id, query, walk ? dialect.ItemsInIdOrder : "items", dialect.KeyMatch, dialect.KeyPattern);
            return (IReadOnlyList<BatchItem>)_s.Sql.Rows(sql, r => ItemSql.ReadItem(r, job.Name, _s.Location), args);
        });

        /// <summary>The (run, batch) pairs that finished items of the job, in order (per-batch result files).</summary>
        public IReadOnlyList<FinishedBatch> GetFinishedBatches(BatchJob job, long? runId, long? batch, ItemStatus? status) => _s.Guarded(() =>
        {
            (string sql, (string, object?)[] args) = ItemSql.FinishedBatches(job.Id, runId, batch, status);
            return (IReadOnlyList<FinishedBatch>)_s.Sql.Rows(sql, ItemSql.ReadFinishedBatch, args);
        });
    }

    /// <summary>A batch of a run that finished items (their outcome is kept with the batch number).</summary>
    public readonly struct FinishedBatch
    {
        public FinishedBatch(long run, long batch)
        {
            Run = run;
            Batch = batch;
        }

        public long Run { get; }

        public long Batch { get; }
    }
}
