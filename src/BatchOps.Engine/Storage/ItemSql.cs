using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Globalization;
using System.Text;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// The statements of the job catalog that are the same text on both backends: item queries (but for how a key
    /// wildcard is matched), resets and clearing, the counters a reset moves, and reading an item row. Parameters
    /// are named <c>@x</c> in the SQL and <c>x</c> in the arguments, as <see cref="StoreSql"/> runs them.
    /// </summary>
    internal static class ItemSql
    {
        /// <summary>Puts an item back to pending with no attempts, result or lease (followed by the WHERE of the caller).</summary>
        public static readonly string ResetItem =
            "UPDATE items SET status = " + ItemStatusSql.Pending + ", attempts = 0, last_error = NULL, result = NULL, started_ms = NULL, finished_ms = NULL, duration_ms = NULL, lease_token = NULL, lease_expires_ms = NULL";

        /// <summary>Puts every item of the job back to pending, forgetting even the run that last held it.</summary>
        public static readonly string ClearItems =
            "UPDATE items SET status = " + ItemStatusSql.Pending + ", attempts = 0, last_error = NULL, result = NULL, started_ms = NULL, finished_ms = NULL, duration_ms = NULL, lease_run = NULL, lease_token = NULL, lease_expires_ms = NULL WHERE job_id = @job";

        /// <summary>What clearing a job forgets besides its items' outcomes: its runs (and their batches), errors and baselines.</summary>
        public static readonly IReadOnlyList<string> ClearRecords = new[]
        {
            "DELETE FROM runs WHERE job_id = @job",
            "DELETE FROM errors WHERE job_id = @job",
            "DELETE FROM vector_baselines WHERE job_id = @job",
        };

        public const string ClearCounters = "UPDATE jobs SET pending = total, running = 0, succeeded = 0, failed = 0, updated_ms = @now WHERE id = @job";

        /// <summary>The counters after items went back to pending from succeeded (@s) and failed (@f), @n = @s + @f.</summary>
        public const string CountersAfterReset = "UPDATE jobs SET pending = pending + @n, succeeded = succeeded - @s, failed = failed - @f, updated_ms = @now WHERE id = @job";

        public static readonly string ResetSucceededBetween =
            ResetItem + " WHERE job_id = @job AND status = " + ItemStatusSql.Succeeded + " AND finished_ms > @after AND finished_ms < @before";

        public static string ResetByStatus(ItemStatus status) => ResetItem + " WHERE job_id = @job AND status = " + ItemStatusSql.Of(status);

        /// <summary>The one column list of an item read, in the order <see cref="ReadItem"/> reads; {0} is the payload or NULL.</summary>
        private const string Columns =
            "id, key, status, attempts, last_error, result, {0}, created_ms, started_ms, finished_ms, duration_ms, lease_run, finished_batch";

        /// <summary>
        /// A page of items: <paramref name="table"/> is what to select from (SQLite adds an index hint),
        /// <paramref name="wildcard"/> the operator that matches a key against <paramref name="toPattern"/>'s text
        /// for a pattern with wildcards (GLOB on SQLite, a regular expression on PostgreSQL).
        /// </summary>
        public static (string Sql, (string Name, object? Value)[] Args) Query(
            long jobId, ItemQuery query, string table, string wildcard, Func<string, string> toPattern)
        {
            var sql = new StringBuilder("SELECT ")
                .Append(string.Format(CultureInfo.InvariantCulture, Columns, query.IncludePayload ? "payload" : "NULL"))
                .Append(" FROM ").Append(table).Append(" WHERE job_id = @job AND id > @after");
            var args = new List<(string, object?)> { ("job", jobId), ("after", query.AfterId) };
            if (query.Status is ItemStatus status)
            {
                // A literal, not a parameter: only then can SQLite use the partial index for that status.
                sql.Append(" AND status = ").Append(ItemStatusSql.Of(status));
            }

            if (query.RunId is long run)
            {
                sql.Append(" AND lease_run = @run");
                args.Add(("run", run));
            }

            if (query.Batch is long batch)
            {
                sql.Append(" AND finished_batch = @batch AND status IN (").Append(ItemStatusSql.Finished).Append(')');
                args.Add(("batch", batch));
            }

            if (query.KeyPatterns != null && query.KeyPatterns.Count > 0)
            {
                var terms = new List<string>();
                for (int i = 0; i < query.KeyPatterns.Count; i++)
                {
                    string pattern = query.KeyPatterns[i];
                    string name = "k" + i.ToString(CultureInfo.InvariantCulture);
                    bool wild = KeyPattern.HasWildcards(pattern);
                    terms.Add("key " + (wild ? wildcard : "=") + " @" + name);
                    args.Add((name, wild ? toPattern(pattern) : KeyPattern.Unescape(pattern)));
                }

                sql.Append(" AND (").Append(string.Join(" OR ", terms)).Append(')');
            }

            sql.Append(" ORDER BY id");
            if (query.First is int first)
            {
                sql.Append(" LIMIT @first");
                args.Add(("first", first));
            }

            return (sql.ToString(), args.ToArray());
        }

        /// <summary>The (run, batch) pairs that finished items of the job, in order.</summary>
        public static (string Sql, (string Name, object? Value)[] Args) FinishedBatches(long jobId, long? runId, long? batch, ItemStatus? status)
        {
            string statuses = status is ItemStatus only ? ItemStatusSql.Of(only) : ItemStatusSql.Finished;
            var sql = new StringBuilder(
                "SELECT DISTINCT lease_run, finished_batch FROM items WHERE job_id = @job AND finished_batch IS NOT NULL AND lease_run IS NOT NULL AND status IN (" + statuses + ")");
            var args = new List<(string, object?)> { ("job", jobId) };
            if (runId is long run)
            {
                sql.Append(" AND lease_run = @run");
                args.Add(("run", run));
            }

            if (batch is long number)
            {
                sql.Append(" AND finished_batch = @batch");
                args.Add(("batch", number));
            }

            sql.Append(" ORDER BY lease_run, finished_batch");
            return (sql.ToString(), args.ToArray());
        }

        public static FinishedBatch ReadFinishedBatch(DbDataReader reader) => new FinishedBatch(StoreRows.Long(reader, 0), StoreRows.Long(reader, 1));

        public static BatchItem ReadItem(DbDataReader reader, string job, string store)
        {
            var status = (ItemStatus)StoreRows.Int(reader, 2);
            return new BatchItem
            {
                Id = StoreRows.Long(reader, 0),
                Job = job,
                Key = reader.GetString(1),
                Status = status,
                Attempts = StoreRows.Int(reader, 3),
                LastError = StoreRows.NullableString(reader, 4),
                Result = StoreRows.NullableString(reader, 5),
                Payload = StoreRows.NullableString(reader, 6),
                Created = Times.Local(StoreRows.Long(reader, 7)),
                Started = Times.Local(StoreRows.NullableLong(reader, 8)),
                Finished = Times.Local(StoreRows.NullableLong(reader, 9)),
                Duration = StoreRows.NullableLong(reader, 10) is long ms ? TimeSpan.FromMilliseconds(ms) : (TimeSpan?)null,
                RunId = StoreRows.NullableLong(reader, 11),
                // The batch that finished it, for a finished item only (a reset item keeps its old number).
                Batch = status is ItemStatus.Succeeded or ItemStatus.Failed ? StoreRows.NullableLong(reader, 12) : null,
                Store = store,
            };
        }
    }
}
