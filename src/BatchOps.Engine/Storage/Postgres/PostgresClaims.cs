using System.Collections.Generic;
using System.Linq;
using Npgsql;
using NpgsqlTypes;

namespace BatchOps.Engine.Storage.Postgres
{
    /// <summary>
    /// A claim's leases in a PostgreSQL store (<see cref="RunLedger.Claim"/>): each part is one statement that locks
    /// the rows it takes with <c>FOR UPDATE SKIP LOCKED</c>, so claimers on several hosts never wait for each other:
    /// each takes rows nobody else is taking.
    /// </summary>
    internal sealed class PostgresClaims : IRunClaims
    {
        /// <summary>Takes over the rows <c>picked</c> selects; returns what a claim reads of an item, attempts counted.</summary>
        private static readonly string TakePicked =
            "UPDATE items i SET status = " + ItemStatusSql.Running + ", lease_run = @run, lease_token = @token, lease_expires_ms = @expires, attempts = i.attempts + 1, started_ms = @now " +
            "FROM picked WHERE i.id = picked.id RETURNING i.id, i.key, i.payload, i.attempts";

        private readonly PostgresSession _s;

        public PostgresClaims(PostgresSession session) => _s = session;

        /// <summary>
        /// Leases up to <paramref name="n"/> items in id order in one statement: expired leases (status Running, lease
        /// run out by the server's clock) or pending items. Rows another transaction has locked are skipped, not waited for.
        /// </summary>
        public void Take(ItemStatus from, long jobId, long runId, long token, long expires, long now, int n, IReadOnlyCollection<string>? onlyKeys, List<ClaimedItem> into)
        {
            string[]? only = onlyKeys?.ToArray();
            string sql =
                "WITH picked AS (SELECT id FROM items WHERE job_id = @job AND status = " + ItemStatusSql.Of(from) +
                (from == ItemStatus.Running ? " AND lease_expires_ms < @now" : "") +
                (only == null ? "" : " AND key = ANY(@keys)") +
                " ORDER BY id LIMIT @n FOR UPDATE SKIP LOCKED) " + TakePicked;
            using NpgsqlCommand cmd = _s.Command(sql, ("job", jobId), ("n", n), ("run", runId), ("token", token), ("expires", expires), ("now", now));
            if (only != null)
            {
                cmd.Parameters.Add(new NpgsqlParameter("keys", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = only });
            }

            var taken = new List<(long Id, string Key, string? Payload, int Attempts)>(n);
            using (NpgsqlDataReader reader = cmd.ExecuteReader())
            {
                while (reader.Read())
                {
                    taken.Add((reader.GetInt64(0), reader.GetString(1), PostgresSession.NullableString(reader, 2), reader.GetInt32(3))); // attempts: this claim's included
                }
            }

            taken.Sort((a, b) => a.Id.CompareTo(b.Id)); // RETURNING keeps no order
            for (int position = 0; position < taken.Count; position++)
            {
                (long id, string key, string? payload, int attempts) = taken[position];
                into.Add(new ClaimedItem { Id = id, Key = key, Payload = payload, Attempts = attempts, LeaseToken = token, LeasePosition = position });
            }
        }
    }
}
