using System;
using System.Collections.Generic;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// Adds a chunk of items to a job in a SQLite store: one kept-prepared insert per item (a local file answers at
    /// once; bound by position, <see cref="SqliteRawStatement"/>), and for a key the job has, one read of its status.
    /// </summary>
    internal sealed class SqliteItemEnqueue : IItemEnqueue
    {
        private static readonly string EnqueueSql =
            "INSERT INTO items (job_id, key, payload, status, attempts, created_ms) VALUES (?1, ?2, ?3, " + ItemStatusSql.Pending + ", 0, ?4) ON CONFLICT(job_id, key) DO NOTHING";

        private readonly SqliteSession _s;
        private SqliteRawStatement? _insert;

        public SqliteItemEnqueue(SqliteSession session) => _s = session;

        public (long Added, long Queued, long Done) Enqueue(long jobId, IReadOnlyList<NewItem> items, int start, int end)
        {
            long now = _s.NowMs();
            SqliteRawStatement insert = _insert ??= _s.Own(new SqliteRawStatement(_s.Connection, EnqueueSql));
            insert.Bind(1, jobId);
            insert.Bind(4, now);
            SqliteCommand existing = _s.Cached("enqueue.existing", "SELECT status FROM items WHERE job_id = @job AND key = @key", ("@job", jobId), ("@key", null));
            long added = 0, queued = 0, done = 0;
            for (int i = start; i < end; i++)
            {
                NewItem item = items[i];
                insert.Bind(2, item.Key);
                insert.Bind(3, item.Payload);
                if (insert.Execute() == 1)
                {
                    added++;
                    continue;
                }

                SqliteSession.Set(existing, "@key", item.Key);
                long status = Convert.ToInt64(existing.ExecuteScalar(), CultureInfo.InvariantCulture);
                if (status == (long)ItemStatus.Succeeded || status == (long)ItemStatus.Failed)
                {
                    done++;
                }
                else
                {
                    queued++;
                }
            }

            if (added > 0)
            {
                _s.Execute("UPDATE jobs SET total = total + @n, pending = pending + @n, updated_ms = @now WHERE id = @job", ("@n", added), ("@now", now), ("@job", jobId));
            }

            return (added, queued, done);
        }
    }
}
