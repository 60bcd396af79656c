using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace BatchOps.Engine.Storage
{
    /// <summary>Item queries of the job catalog: pages of items by status, run, batch and key, and the batches that finished them.</summary>
    internal sealed class SqliteItemReader
    {
        /// <summary>The one column list of an item read, in the order <see cref="GetItems"/> reads; {0} is the payload or NULL.</summary>
        private const string ItemColumns =
            "id, key, status, attempts, last_error, result, {0}, created_ms, started_ms, finished_ms, duration_ms, lease_run, finished_batch";

        private readonly SqliteSession _s;

        public SqliteItemReader(SqliteSession session) => _s = session;

        public IReadOnlyList<BatchItem> GetItems(BatchJob job, ItemQuery query) => _s.Guarded(() =>
        {
            // Paging a whole job (or its successes) walks the table in id order: through an index on (job_id, key)
            // SQLite would sort every page, a million-item export then taking quadratic time. Pending, running and
            // failed items, keys and batches have indexes of their own.
            bool walk = (query.KeyPatterns == null || query.KeyPatterns.Count == 0) && query.Batch == null && (query.Status == null || query.Status == ItemStatus.Succeeded);
            var sql = new StringBuilder("SELECT ")
                .Append(string.Format(CultureInfo.InvariantCulture, ItemColumns, query.IncludePayload ? "payload" : "NULL"))
                .Append(" FROM items").Append(walk ? " NOT INDEXED" : "").Append(" WHERE job_id = @job AND id > @after");
            var args = new List<(string, object?)> { ("@job", job.Id), ("@after", query.AfterId) };
            if (query.Status is ItemStatus status)
            {
                // A literal, not a parameter: only then can SQLite use the partial index for that status.
                sql.Append(" AND status = ").Append(ItemStatusSql.Of(status));
            }

            if (query.RunId is long run)
            {
                sql.Append(" AND lease_run = @run");
                args.Add(("@run", run));
            }

            if (query.Batch is long batch)
            {
                sql.Append(" AND finished_batch = @batch AND status IN (").Append(ItemStatusSql.Finished).Append(')');
                args.Add(("@batch", batch));
            }

            if (query.KeyPatterns != null && query.KeyPatterns.Count > 0)
            {
                var terms = new List<string>();
                for (int i = 0; i < query.KeyPatterns.Count; i++)
                {
                    string pattern = query.KeyPatterns[i];
                    string name = "@k" + i.ToString(CultureInfo.InvariantCulture);
                    if (KeyPattern.HasWildcards(pattern))
                    {
                        terms.Add("key GLOB " + name);
                        args.Add((name, KeyPattern.ToGlob(pattern)));
                    }
                    else
                    {
                        terms.Add("key = " + name);
                        args.Add((name, KeyPattern.Unescape(pattern)));
                    }
                }

                sql.Append(" AND (").Append(string.Join(" OR ", terms)).Append(')');
            }

            sql.Append(" ORDER BY id");
            if (query.First is int first)
            {
                sql.Append(" LIMIT @first");
                args.Add(("@first", first));
            }

            var items = new List<BatchItem>();
            using var cmd = _s.Command(sql.ToString(), args.ToArray());
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                items.Add(new BatchItem
                {
                    Id = reader.GetInt64(0),
                    Job = job.Name,
                    Key = reader.GetString(1),
                    Status = (ItemStatus)reader.GetInt32(2),
                    Attempts = reader.GetInt32(3),
                    LastError = SqliteSession.NullableString(reader, 4),
                    Result = SqliteSession.NullableString(reader, 5),
                    Payload = SqliteSession.NullableString(reader, 6),
                    Created = Times.Local(reader.GetInt64(7)),
                    Started = Times.Local(SqliteSession.NullableLong(reader, 8)),
                    Finished = Times.Local(SqliteSession.NullableLong(reader, 9)),
                    Duration = SqliteSession.NullableLong(reader, 10) is long ms ? TimeSpan.FromMilliseconds(ms) : (TimeSpan?)null,
                    RunId = SqliteSession.NullableLong(reader, 11),
                    // The batch that finished it, for a finished item only (a reset item keeps its old number).
                    Batch = (ItemStatus)reader.GetInt32(2) is ItemStatus.Succeeded or ItemStatus.Failed ? SqliteSession.NullableLong(reader, 12) : null,
                    Store = _s.Location,
                });
            }

            return (IReadOnlyList<BatchItem>)items;
        });

        /// <summary>The (run, batch) pairs that finished items of the job, in order (per-batch result files).</summary>
        public IReadOnlyList<FinishedBatch> GetFinishedBatches(BatchJob job, long? runId, long? batch, ItemStatus? status = null) => _s.Guarded(() =>
        {
            string statuses = status is ItemStatus only ? ItemStatusSql.Of(only) : ItemStatusSql.Finished;
            var sql = new StringBuilder(
                "SELECT DISTINCT lease_run, finished_batch FROM items WHERE job_id = @job AND finished_batch IS NOT NULL AND lease_run IS NOT NULL AND status IN (" + statuses + ")");
            var args = new List<(string, object?)> { ("@job", job.Id) };
            if (runId is long run)
            {
                sql.Append(" AND lease_run = @run");
                args.Add(("@run", run));
            }

            if (batch is long number)
            {
                sql.Append(" AND finished_batch = @batch");
                args.Add(("@batch", number));
            }

            sql.Append(" ORDER BY lease_run, finished_batch");
            var batches = new List<FinishedBatch>();
            using var cmd = _s.Command(sql.ToString(), args.ToArray());
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                batches.Add(new FinishedBatch(reader.GetInt64(0), reader.GetInt64(1)));
            }

            return (IReadOnlyList<FinishedBatch>)batches;
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
