using System;
using System.Collections.Generic;
using Microsoft.Data.Sqlite;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// A claim's leases in a SQLite store (<see cref="RunLedger.Claim"/>): expired leases row by row, pending items by
    /// one SELECT and one UPDATE over their id range.
    /// </summary>
    internal sealed class SqliteClaims : IRunClaims
    {
        /// <summary>The columns a claim reads of an item, in the order <see cref="ReadItems"/> reads.</summary>
        private const string ClaimColumns = "id, key, payload, attempts";

        private static readonly string FindExpiredSql =
            "SELECT " + ClaimColumns + " FROM items WHERE job_id = @job AND status = " + ItemStatusSql.Running + " AND lease_expires_ms < @now";

        private static readonly string FindPendingSql =
            "SELECT " + ClaimColumns + " FROM items WHERE job_id = @job AND status = " + ItemStatusSql.Pending;

        private static readonly string TakeSql =
            "UPDATE items SET status = " + ItemStatusSql.Running + ", lease_run = @run, lease_token = @token, lease_expires_ms = @expires, attempts = attempts + 1, started_ms = @now " +
            "WHERE job_id = @job AND status = " + ItemStatusSql.Pending + " AND id BETWEEN @first AND @last";

        private readonly SqliteSession _s;

        public SqliteClaims(SqliteSession session) => _s = session;

        public void Take(ItemStatus from, long jobId, long runId, long token, long leaseExpiresMs, long now, int n, IReadOnlyCollection<string>? onlyKeys, List<ClaimedItem> into)
        {
            ChosenKeys? only = onlyKeys == null ? null : new ChosenKeys(onlyKeys);
            if (from == ItemStatus.Running)
            {
                ReclaimExpired(jobId, runId, token, leaseExpiresMs, now, n, into, only);
            }
            else
            {
                ClaimPending(jobId, runId, token, leaseExpiresMs, now, n, into, only);
            }
        }

        /// <summary>Takes over items whose lease ran out (their run died or hung). Rare, so simply done row by row.</summary>
        private void ReclaimExpired(long jobId, long runId, long token, long expires, long now, int n, List<ClaimedItem> into, ChosenKeys? only)
        {
            var expired = new List<ClaimedItem>();
            SqliteCommand find = _s.Cached(
                "claim.expired" + ChosenKeys.NameSuffix(only),
                FindExpiredSql + ChosenKeys.Filter(only) + " ORDER BY id LIMIT @n",
                ("@job", jobId),
                ("@now", now),
                ("@n", n),
                ("@only", only?.Json));
            ReadItems(find, token, expired);

            foreach (ClaimedItem item in expired)
            {
                _s.Execute(
                    "UPDATE items SET lease_run = @run, lease_token = @token, lease_expires_ms = @expires, attempts = attempts + 1, started_ms = @now WHERE id = @id",
                    ("@run", runId),
                    ("@token", token),
                    ("@expires", expires),
                    ("@now", now),
                    ("@id", item.Id));
                into.Add(item);
            }
        }

        /// <summary>
        /// Claims the first pending items in id order: one SELECT, then one UPDATE over their id range. Inside the
        /// write transaction the pending rows in that range are exactly the ones selected.
        /// </summary>
        private void ClaimPending(long jobId, long runId, long token, long expires, long now, int n, List<ClaimedItem> into, ChosenKeys? only)
        {
            SqliteCommand find = _s.Cached(
                "claim.find" + ChosenKeys.NameSuffix(only),
                FindPendingSql + ChosenKeys.Filter(only) + " ORDER BY id LIMIT @n",
                ("@job", jobId),
                ("@n", n),
                ("@only", only?.Json));
            int before = into.Count;
            ReadItems(find, token, into);
            if (into.Count == before)
            {
                return;
            }

            // Chosen items are not contiguous: the range is narrowed to them as the SELECT was.
            SqliteCommand take = _s.Cached(
                "claim.take" + ChosenKeys.NameSuffix(only),
                TakeSql + ChosenKeys.Filter(only),
                ("@only", only?.Json),
                ("@run", runId),
                ("@token", token),
                ("@expires", expires),
                ("@now", now),
                ("@job", jobId),
                ("@first", into[before].Id),
                ("@last", into[into.Count - 1].Id));
            int changed = take.ExecuteNonQuery();
            if (changed != into.Count - before)
            {
                throw new InvalidOperationException($"Claimed {changed} rows for {into.Count - before} selected items; the store changed under the write lock.");
            }
        }

        /// <summary>Reads the items a claim found, in id order, as the leases of one token.</summary>
        private static void ReadItems(SqliteCommand cmd, long token, List<ClaimedItem> into)
        {
            int first = into.Count;
            using SqliteDataReader reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                into.Add(new ClaimedItem
                {
                    Id = reader.GetInt64(0),
                    Key = reader.GetString(1),
                    Payload = SqliteSession.NullableString(reader, 2),
                    Attempts = reader.GetInt32(3) + 1, // this claim's attempt
                    LeaseToken = token,
                    LeasePosition = into.Count - first,
                });
            }
        }
    }
}
