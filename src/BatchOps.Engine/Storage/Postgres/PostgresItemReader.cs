using System.Collections.Generic;

namespace BatchOps.Engine.Storage.Postgres
{
    /// <summary>
    /// Item queries of a PostgreSQL job catalog: pages of items by status, run, batch and key, and the batches that
    /// finished them, with the statements of <see cref="ItemSql"/>. A key wildcard is matched with a regular
    /// expression that follows SQLite's GLOB (<see cref="KeyPattern.ToRegex"/>), so both backends select the same items.
    /// </summary>
    internal sealed class PostgresItemReader
    {
        private readonly PostgresSession _s;
        private readonly StoreSql _sql;

        public PostgresItemReader(PostgresSession session)
        {
            _s = session;
            _sql = session.Sql;
        }

        public IReadOnlyList<BatchItem> GetItems(BatchJob job, ItemQuery query) => _s.Guarded(() =>
        {
            (string sql, (string, object?)[] args) = ItemSql.Query(job.Id, query, "items", "~", KeyPattern.ToRegex);
            return (IReadOnlyList<BatchItem>)_sql.Rows(sql, r => ItemSql.ReadItem(r, job.Name, _s.Location), args);
        });

        public IReadOnlyList<FinishedBatch> GetFinishedBatches(BatchJob job, long? runId, long? batch, ItemStatus? status) => _s.Guarded(() =>
        {
            (string sql, (string, object?)[] args) = ItemSql.FinishedBatches(job.Id, runId, batch, status);
            return (IReadOnlyList<FinishedBatch>)_sql.Rows(sql, ItemSql.ReadFinishedBatch, args);
        });
    }
}
