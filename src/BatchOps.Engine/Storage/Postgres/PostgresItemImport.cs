using System.Collections.Generic;
using Npgsql;
using NpgsqlTypes;

namespace BatchOps.Engine.Storage.Postgres
{
    /// <summary>
    /// Writes items with their state, and error log lines, into a job of a PostgreSQL store (<see cref="IJobImport"/>):
    /// the items in one statement (unnest of their columns), the lines in another, the counters from the rows added.
    /// </summary>
    internal sealed class PostgresItemImport : IJobImport
    {
        private const string InsertItemsSql =
            "INSERT INTO items (job_id, key, payload, status, attempts, last_error, result, created_ms, started_ms, finished_ms, duration_ms) " +
            "SELECT @job, k, p, s, a, e, r, c, st, f, d FROM unnest(@keys, @payloads, @statuses, @attempts, @errors, @results, @created, @started, @finished, @durations) " +
            "AS t(k, p, s, a, e, r, c, st, f, d) ON CONFLICT (job_id, key) DO NOTHING RETURNING status";

        private readonly PostgresSession _s;

        public PostgresItemImport(PostgresSession session) => _s = session;

        public long ImportItems(BatchJob job, IReadOnlyList<ItemState> items, IReadOnlyList<ErrorEntry> lines)
        {
            foreach (ItemState item in items)
            {
                ItemImportSql.Check(item);
            }

            _s.RequireWritable();
            long added = _s.Guarded(() => _s.Write(() =>
            {
                long pending = 0, succeeded = 0, failed = 0;
                if (items.Count > 0)
                {
                    using NpgsqlCommand insert = _s.Command(InsertItemsSql, ("job", job.Id));
                    Column(insert, "keys", NpgsqlDbType.Text, items, i => i.Key);
                    Column(insert, "payloads", NpgsqlDbType.Text, items, i => i.Payload);
                    Column(insert, "statuses", NpgsqlDbType.Integer, items, i => (int)i.Status);
                    Column(insert, "attempts", NpgsqlDbType.Integer, items, i => i.Attempts);
                    Column(insert, "errors", NpgsqlDbType.Text, items, i => i.LastError);
                    Column(insert, "results", NpgsqlDbType.Text, items, i => i.Result);
                    Column(insert, "created", NpgsqlDbType.Bigint, items, i => i.CreatedMs);
                    Column(insert, "started", NpgsqlDbType.Bigint, items, i => i.StartedMs);
                    Column(insert, "finished", NpgsqlDbType.Bigint, items, i => i.FinishedMs);
                    Column(insert, "durations", NpgsqlDbType.Bigint, items, i => i.DurationMs);
                    using NpgsqlDataReader reader = insert.ExecuteReader();
                    while (reader.Read())
                    {
                        ItemImportSql.Count((ItemStatus)reader.GetInt32(0), ref pending, ref succeeded, ref failed);
                    }
                }

                foreach (ErrorEntry entry in lines)
                {
                    _s.Execute(
                        ItemImportSql.ErrorLine,
                        ("job", job.Id), ("key", entry.Key), ("attempt", entry.Attempt), ("time", Times.Ms(entry.Time)),
                        ("type", entry.ErrorType), ("message", entry.Message), ("detail", entry.Detail));
                }

                long count = pending + succeeded + failed;
                if (count > 0 || lines.Count > 0)
                {
                    _s.Execute(
                        ItemImportSql.Counters,
                        ("total", count), ("pending", pending), ("succeeded", succeeded), ("failed", failed), ("now", _s.NowMs()), ("job", job.Id));
                }

                return count;
            }));

            if (added > 0)
            {
                _s.Guarded(() => { _s.Notify(job.Id); return 0; }); // runs sleeping for work (on any host) wake now
            }

            return added;
        }

        private static void Column<T>(NpgsqlCommand command, string name, NpgsqlDbType type, IReadOnlyList<ItemState> items, System.Func<ItemState, T> value)
        {
            var values = new T[items.Count]; // string?[], int[] or long?[]: Npgsql writes a null element as NULL
            for (int i = 0; i < items.Count; i++)
            {
                values[i] = value(items[i]);
            }

            command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | type) { Value = values });
        }
    }
}
