using System;
using System.Collections.Generic;
using System.Globalization;
using BatchOps.Engine.Diagnostics;
using Microsoft.Data.Sqlite;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// Claims of the run ledger: a batch of items leased to a run in one transaction, expired leases first, then
    /// pending items in id order; items started too often are failed instead (poison items).
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
        private readonly SqliteErrorLog _errors;
        private readonly LeaseTokens _tokens = new LeaseTokens();

        public SqliteClaims(SqliteSession session, SqliteErrorLog errors)
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

            ChosenKeys? only = onlyKeys == null ? null : new ChosenKeys(onlyKeys);
            return _s.Guarded(() => RunProfile.Time(RunProfile.Phase.StoreClaim, () => _s.Write(() =>
            {
                long now = _s.NowMs();
                var claimed = new List<ClaimedItem>(count);
                // Each part of a claim has a token of its own, so that a token's items are one list in id order
                // (ClaimedItem.LeasePosition): expired leases and pending items interleave by id.
                if (includeExpired)
                {
                    ReclaimExpired(jobId, runId, _tokens.Next(), leaseExpiresMs, now, count, claimed, only);
                }

                int reclaimed = claimed.Count;
                if (claimed.Count < count)
                {
                    ClaimPending(jobId, runId, _tokens.Next(), leaseExpiresMs, now, count - claimed.Count, claimed, only);
                }

                int fromPending = claimed.Count - reclaimed;
                ClaimSplit split = ClaimSplit.Of(claimed, maxAttempts, item => AbandonPoisonItem(jobId, runId, item, now));
                List<string> abandoned = split.Abandoned;
                if (claimed.Count > 0)
                {
                    SqliteCommand counters = _s.Cached(
                        "claim.counters",
                        RunLedgerSql.JobClaimed,
                        ("@fromPending", fromPending),
                        ("@abandoned", abandoned.Count),
                        ("@now", now),
                        ("@job", jobId));
                    counters.ExecuteNonQuery();
                    if (abandoned.Count > 0)
                    {
                        _s.Execute(RunLedgerSql.RunFailedAtClaim, ("@n", abandoned.Count), ("@run", runId));
                    }
                }

                return new ClaimResult { Items = split.Kept, Abandoned = abandoned };
            })));
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

        private void AbandonPoisonItem(long jobId, long runId, ClaimedItem item, long now)
        {
            string message = Wording.Abandoned(item.Attempts - 1);
            _s.Execute(RunLedgerSql.AbandonPoison, ("@error", message), ("@now", now), ("@id", item.Id));
            _errors.Insert(jobId, runId, item.Key, item.Attempts - 1, now, ErrorEntry.Abandoned, message);
        }
    }
}
