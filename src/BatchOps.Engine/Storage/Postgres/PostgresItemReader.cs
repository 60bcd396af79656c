using System.Collections.Generic;
using Npgsql;

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

        public PostgresItemReader(PostgresSession session) => _s = session;

        public IReadOnlyList<BatchItem> GetItems(BatchJob job, ItemQuery query) => _s.Guarded(() =>
        {
            (string sql, (string, object?)[] args) = ItemSql.Query(job.Id, query, "items", "", "~", KeyPattern.ToRegex);
            using NpgsqlCommand cmd = _s.Command(sql, args);
            using NpgsqlDataReader reader = cmd.ExecuteReader();
            return ItemSql.ReadItems(reader, job.Name, _s.Location);
        });

        public IReadOnlyList<FinishedBatch> GetFinishedBatches(BatchJob job, long? runId, long? batch, ItemStatus? status) => _s.Guarded(() =>
        {
            (string sql, (string, object?)[] args) = ItemSql.FinishedBatches(job.Id, runId, batch, status, "");
            using NpgsqlCommand cmd = _s.Command(sql, args);
            using NpgsqlDataReader reader = cmd.ExecuteReader();
            return ItemSql.ReadFinishedBatches(reader);
        });
    }
}
