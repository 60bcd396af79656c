using System.Collections.Generic;
using System.Linq;
using BatchOps.Engine.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace BatchOps.Engine.Storage.Postgres
{
    /// <summary>
    /// Claims of a PostgreSQL run ledger, with the outcomes of <see cref="SqliteClaims"/>: expired leases first, then
    /// pending items in id order, in one transaction; items started too often are failed instead (poison items).
    /// Each step is one statement that locks the rows it takes with <c>FOR UPDATE SKIP LOCKED</c>, so claimers on
    /// several hosts never wait for each other: each takes rows nobody else is taking.
    /// </summary>
    internal sealed class PostgresClaims : IRunClaims
    {
        /// <summary>Takes over the rows <c>picked</c> selects; returns what a claim reads of an item, attempts counted.</summary>
        private static readonly string TakePicked =
            "UPDATE items i SET status = " + ItemStatusSql.Running + ", lease_run = @run, lease_token = @token, lease_expires_ms = @expires, attempts = i.attempts + 1, started_ms = @now " +
            "FROM picked WHERE i.id = picked.id RETURNING i.id, i.key, i.payload, i.attempts";

        private readonly PostgresSession _s;
        private readonly PostgresErrorLog _errors;
        private readonly LeaseTokens _tokens = new LeaseTokens();

        public PostgresClaims(PostgresSession session, PostgresErrorLog errors)
        {
            _s = session;
            _errors = errors;
        }

        public ClaimResult Claim(long jobId, long runId, int count, long leaseExpiresMs, int maxAttempts, bool includeExpired, IReadOnlyCollection<string>? onlyKeys)
        {
            _s.RequireWritable();
            if (count <= 0)
            {
                return new ClaimResult();
            }

            string[]? only = onlyKeys?.ToArray();
            return _s.Guarded(() => RunProfile.Time(RunProfile.Phase.StoreClaim, () => _s.Write(() =>
            {
                long now = _s.NowMs();
                var claimed = new List<ClaimedItem>(count);
                // A token for each part, so that a token's items are one list in id order (ClaimedItem.LeasePosition).
                if (includeExpired)
                {
                    Take(ItemStatus.Running, jobId, runId, _tokens.Next(), leaseExpiresMs, now, count, claimed, only);
                }

                int reclaimed = claimed.Count;
                if (claimed.Count < count)
                {
                    Take(ItemStatus.Pending, jobId, runId, _tokens.Next(), leaseExpiresMs, now, count - claimed.Count, claimed, only);
                }

                int fromPending = claimed.Count - reclaimed;
                ClaimSplit split = ClaimSplit.Of(claimed, maxAttempts, item => AbandonPoisonItem(jobId, runId, item, now));
                List<string> abandoned = split.Abandoned;
                if (claimed.Count > 0)
                {
                    if (abandoned.Count > 0)
                    {
                        _s.Execute(RunLedgerSql.RunFailedAtClaim, ("n", abandoned.Count), ("run", runId));
                    }

                    // Last, so that the job's row (which every host's claims and commits update) stays locked the shortest time.
                    _s.Execute(RunLedgerSql.JobClaimed, ("fromPending", fromPending), ("abandoned", abandoned.Count), ("now", now), ("job", jobId));
                }

                return new ClaimResult { Items = split.Kept, Abandoned = abandoned };
            })));
        }

        /// <summary>
        /// Leases up to <paramref name="n"/> items in id order in one statement: expired leases (status Running, lease
        /// run out by the server's clock) or pending items. Rows another transaction has locked are skipped, not waited for.
        /// </summary>
        private void Take(ItemStatus from, long jobId, long runId, long token, long expires, long now, int n, List<ClaimedItem> into, string[]? only)
        {
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

        private void AbandonPoisonItem(long jobId, long runId, ClaimedItem item, long now)
        {
            string message = Wording.Abandoned(item.Attempts - 1);
            _s.Execute(RunLedgerSql.AbandonPoison, ("error", message), ("now", now), ("id", item.Id));
            _errors.Insert(jobId, runId, item.Key, item.Attempts - 1, now, ErrorEntry.Abandoned, message);
        }
    }
}
