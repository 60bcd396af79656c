using System;
using System.Collections.Generic;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// Adds a chunk of items to a job in a SQLite store: one kept-prepared insert per item (a local file answers at
    /// once), and for a key the job has, one read of its status.
    /// </summary>
    internal sealed class SqliteItemEnqueue : IItemEnqueue
    {
        private static readonly string EnqueueSql =
            "INSERT INTO items (job_id, key, payload, status, attempts, created_ms) VALUES (@job, @key, @payload, " + ItemStatusSql.Pending + ", 0, @now) ON CONFLICT(job_id, key) DO NOTHING";

        private readonly SqliteSession _s;

        public SqliteItemEnqueue(SqliteSession session) => _s = session;

        public (long Added, long Queued, long Done) Enqueue(long jobId, IReadOnlyList<NewItem> items, int start, int end)
        {
            long now = _s.NowMs();
            SqliteCommand insert = _s.Cached("enqueue.insert", EnqueueSql, ("@job", jobId), ("@key", null), ("@payload", null), ("@now", now));
            SqliteCommand existing = _s.Cached("enqueue.existing", "SELECT status FROM items WHERE job_id = @job AND key = @key", ("@job", jobId), ("@key", null));
            long added = 0, queued = 0, done = 0;
            for (int i = start; i < end; i++)
            {
                NewItem item = items[i];
                SqliteSession.Set(insert, "@key", item.Key);
                SqliteSession.Set(insert, "@payload", item.Payload);
                if (insert.ExecuteNonQuery() == 1)
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
