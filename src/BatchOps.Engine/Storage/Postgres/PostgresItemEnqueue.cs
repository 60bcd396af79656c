using System;
using System.Collections.Generic;
using System.Linq;
using Npgsql;
using NpgsqlTypes;

namespace BatchOps.Engine.Storage.Postgres
{
    /// <summary>
    /// Adds a chunk of items to a job in a PostgreSQL store in one statement (unnest of the chunk's keys and payloads),
    /// then reads the status of the keys it did not add in one more; a key another host adds at the same moment is
    /// counted once, by whoever commits first.
    /// </summary>
    internal sealed class PostgresItemEnqueue : IItemEnqueue
    {
        private static readonly string EnqueueSql =
            "INSERT INTO items (job_id, key, payload, status, attempts, created_ms) SELECT @job, k, p, " + ItemStatusSql.Pending + ", 0, @now FROM unnest(@keys, @payloads) AS t(k, p) " +
            "ON CONFLICT (job_id, key) DO NOTHING RETURNING key";

        private readonly PostgresSession _s;

        public PostgresItemEnqueue(PostgresSession session) => _s = session;

        public (long Added, long Queued, long Done) Enqueue(long jobId, IReadOnlyList<NewItem> items, int start, int end)
        {
            long now = _s.NowMs();
            var keys = new string[end - start];
            var payloads = new string?[end - start];
            for (int i = start; i < end; i++)
            {
                keys[i - start] = items[i].Key;
                payloads[i - start] = items[i].Payload;
            }

            var fresh = new HashSet<string>(StringComparer.Ordinal);
            using (NpgsqlCommand insert = _s.Command(EnqueueSql, ("job", jobId), ("now", now)))
            {
                insert.Parameters.Add(new NpgsqlParameter("keys", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = keys });
                insert.Parameters.Add(new NpgsqlParameter("payloads", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = payloads });
                using NpgsqlDataReader reader = insert.ExecuteReader();
                while (reader.Read())
                {
                    fresh.Add(reader.GetString(0));
                }
            }

            // Keys that were not added: already queued or already done, by their status now.
            Dictionary<string, int> statusOf = StatusOf(jobId, keys.Where(k => !fresh.Contains(k)).Distinct().ToArray());
            long added = 0, queued = 0, done = 0;
            var counted = new HashSet<string>(StringComparer.Ordinal);
            foreach (string key in keys)
            {
                if (fresh.Contains(key) && counted.Add(key))
                {
                    added++;
                }
                else if (statusOf.TryGetValue(key, out int status) && (status == (int)ItemStatus.Succeeded || status == (int)ItemStatus.Failed))
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
                _s.Execute("UPDATE jobs SET total = total + @n, pending = pending + @n, updated_ms = @now WHERE id = @job", ("n", added), ("now", now), ("job", jobId));
            }

            return (added, queued, done);
        }

        private Dictionary<string, int> StatusOf(long jobId, string[] keys)
        {
            var statuses = new Dictionary<string, int>(StringComparer.Ordinal);
            if (keys.Length == 0)
            {
                return statuses;
            }

            using NpgsqlCommand cmd = _s.Command("SELECT key, status FROM items WHERE job_id = @job AND key = ANY(@keys)", ("job", jobId));
            cmd.Parameters.Add(new NpgsqlParameter("keys", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = keys });
            using NpgsqlDataReader reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                statuses[reader.GetString(0)] = reader.GetInt32(1);
            }

            return statuses;
        }
    }
}
