using System.Collections.Generic;

namespace BatchOps.Engine.Storage
{
    /// <summary>Item queries of the job catalog: pages of items by status, run, batch and key, and the batches that finished them.</summary>
    internal sealed class SqliteItemReader
    {
        private readonly SqliteSession _s;
        private readonly StoreSql _sql;

        public SqliteItemReader(SqliteSession session)
        {
            _s = session;
            _sql = session.Sql;
        }

        public IReadOnlyList<BatchItem> GetItems(BatchJob job, ItemQuery query) => _s.Guarded(() =>
        {
            // Paging a whole job (or its successes) walks the table in id order: through an index on (job_id, key)
            // SQLite would sort every page, a million-item export then taking quadratic time. Pending, running and
            // failed items, keys and batches have indexes of their own.
            bool walk = (query.KeyPatterns == null || query.KeyPatterns.Count == 0) && query.Batch == null && (query.Status == null || query.Status == ItemStatus.Succeeded);
            (string sql, (string, object?)[] args) = ItemSql.Query(job.Id, query, walk ? "items NOT INDEXED" : "items", "GLOB", KeyPattern.ToGlob);
            return (IReadOnlyList<BatchItem>)_sql.Rows(sql, r => ItemSql.ReadItem(r, job.Name, _s.Location), args);
        });

        /// <summary>The (run, batch) pairs that finished items of the job, in order (per-batch result files).</summary>
        public IReadOnlyList<FinishedBatch> GetFinishedBatches(BatchJob job, long? runId, long? batch, ItemStatus? status = null) => _s.Guarded(() =>
        {
            (string sql, (string, object?)[] args) = ItemSql.FinishedBatches(job.Id, runId, batch, status);
            return (IReadOnlyList<FinishedBatch>)_sql.Rows(sql, ItemSql.ReadFinishedBatch, args);
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
