using System.Collections.Generic;
using Microsoft.Data.Sqlite;

namespace BatchOps.Engine.Storage
{
    /// <summary>Writes items with their state, and error log lines, into a job of a SQLite store (<see cref="IJobImport"/>).</summary>
    internal sealed class SqliteItemImport : IJobImport
    {
        private const string InsertItemSql =
            "INSERT INTO items (job_id, key, payload, status, attempts, last_error, result, created_ms, started_ms, finished_ms, duration_ms) " +
            "VALUES (@job, @key, @payload, @status, @attempts, @error, @result, @created, @started, @finished, @duration) ON CONFLICT(job_id, key) DO NOTHING";

        private readonly SqliteSession _s;

        public SqliteItemImport(SqliteSession session) => _s = session;

        public long ImportItems(BatchJob job, IReadOnlyList<ItemState> items, IReadOnlyList<ErrorEntry> lines)
        {
            foreach (ItemState item in items)
            {
                ItemImportSql.Check(item);
            }

            _s.RequireWritable();
            return _s.Guarded(() => _s.Write(() =>
            {
                long pending = 0, succeeded = 0, failed = 0;
                SqliteCommand insert = _s.Cached(
                    "import.item",
                    InsertItemSql,
                    ("@job", job.Id), ("@key", null), ("@payload", null), ("@status", null), ("@attempts", null), ("@error", null),
                    ("@result", null), ("@created", null), ("@started", null), ("@finished", null), ("@duration", null));
                foreach (ItemState item in items)
                {
                    SqliteSession.Set(insert, "@key", item.Key);
                    SqliteSession.Set(insert, "@payload", item.Payload);
                    SqliteSession.Set(insert, "@status", (int)item.Status);
                    SqliteSession.Set(insert, "@attempts", item.Attempts);
                    SqliteSession.Set(insert, "@error", item.LastError);
                    SqliteSession.Set(insert, "@result", item.Result);
                    SqliteSession.Set(insert, "@created", item.CreatedMs);
                    SqliteSession.Set(insert, "@started", item.StartedMs);
                    SqliteSession.Set(insert, "@finished", item.FinishedMs);
                    SqliteSession.Set(insert, "@duration", item.DurationMs);
                    if (insert.ExecuteNonQuery() == 1)
                    {
                        ItemImportSql.Count(item.Status, ref pending, ref succeeded, ref failed);
                    }
                }

                SqliteCommand line = _s.Cached(
                    "import.error",
                    ItemImportSql.ErrorLine,
                    ("@job", job.Id), ("@key", null), ("@attempt", null), ("@time", null), ("@type", null), ("@message", null), ("@detail", null));
                foreach (ErrorEntry entry in lines)
                {
                    SqliteSession.Set(line, "@key", entry.Key);
                    SqliteSession.Set(line, "@attempt", entry.Attempt);
                    SqliteSession.Set(line, "@time", Times.Ms(entry.Time));
                    SqliteSession.Set(line, "@type", entry.ErrorType);
                    SqliteSession.Set(line, "@message", entry.Message);
                    SqliteSession.Set(line, "@detail", entry.Detail);
                    line.ExecuteNonQuery();
                }

                long added = pending + succeeded + failed;
                if (added > 0 || lines.Count > 0)
                {
                    _s.Execute(
                        ItemImportSql.Counters,
                        ("@total", added), ("@pending", pending), ("@succeeded", succeeded), ("@failed", failed), ("@now", _s.NowMs()), ("@job", job.Id));
                }

                return added;
            }));
        }
    }
}
