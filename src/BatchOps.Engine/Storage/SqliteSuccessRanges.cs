using System;
using System.Collections.Generic;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// Writes plain successes (see <see cref="SqlitePlainSuccess"/>) that share their start, finish, duration and batch
    /// and stand at consecutive positions of one lease token as one UPDATE over their id range: fast items finish many
    /// to a millisecond, and one statement for a run of them costs a fraction of one per item. A token's items between
    /// two of its positions are exactly the positions between (<see cref="ClaimedItem.LeasePosition"/>), so the range
    /// holds no item of the lease still in progress. The fence is the same as for one item (the token, still running):
    /// if a range writes fewer rows than it has outcomes, a lease was lost in it, so every range of the commit is undone
    /// (a savepoint) and the outcomes are written one by one, which says which ones were refused.
    /// </summary>
    internal sealed class SqliteSuccessRanges : IDisposable
    {
        /// <summary>The fewest outcomes worth a range (below it, the per-item statement is as quick).</summary>
        public const int Smallest = 4;

        private static readonly string Sql =
            SqlitePlainSuccess.SetSucceeded + "WHERE id BETWEEN ?5 AND ?6 AND lease_token = ?7 AND status = " + ItemStatusSql.Running;

        private readonly sqlite3 _db;
        private readonly SqliteRawStatement _statement;

        public SqliteSuccessRanges(SqliteConnection connection)
        {
            _db = connection.Handle!;
            _statement = new SqliteRawStatement(connection, Sql);
        }

        /// <summary>
        /// Writes the ranges among <paramref name="outcomes"/> and marks each outcome written in <paramref name="written"/>
        /// (all of them accepted). Writes nothing and marks nothing if a range lost a lease or there is no range.
        /// </summary>
        public void Write(IReadOnlyList<ItemOutcome> outcomes, bool[] written, long now)
        {
            List<(int First, int Count)> ranges = Find(outcomes, now, out int[] order);
            if (ranges.Count == 0)
            {
                return;
            }

            Exec("SAVEPOINT success_ranges");
            foreach ((int first, int count) in ranges)
            {
                ItemOutcome head = outcomes[order[first]];
                if (Execute(head, now, outcomes[order[first + count - 1]].ItemId) != count)
                {
                    Exec("ROLLBACK TO success_ranges");
                    Exec("RELEASE success_ranges");
                    return;
                }
            }

            Exec("RELEASE success_ranges");
            foreach ((int first, int count) in ranges)
            {
                for (int i = first; i < first + count; i++)
                {
                    written[order[i]] = true;
                }
            }
        }

        /// <summary>Finalizes the statement; the connection is closed after it.</summary>
        public void Dispose() => _statement.Dispose();

        /// <summary>
        /// The ranges, as spans of <paramref name="order"/> (the plain successes' indexes sorted by token and position).
        /// </summary>
        internal static List<(int First, int Count)> Find(IReadOnlyList<ItemOutcome> outcomes, long now, out int[] order)
        {
            var ranges = new List<(int, int)>();
            var candidates = new List<int>(outcomes.Count);
            for (int i = 0; i < outcomes.Count; i++)
            {
                if (outcomes[i].LeasePosition >= 0 && SqlitePlainSuccess.Fits(outcomes[i]))
                {
                    candidates.Add(i);
                }
            }

            order = candidates.ToArray();
            if (order.Length < Smallest)
            {
                return ranges;
            }

            Array.Sort(order, (a, b) =>
            {
                int byToken = outcomes[a].LeaseToken.CompareTo(outcomes[b].LeaseToken);
                return byToken != 0 ? byToken : outcomes[a].LeasePosition.CompareTo(outcomes[b].LeasePosition);
            });
            int start = 0;
            for (int i = 1; i <= order.Length; i++)
            {
                if (i < order.Length && Continues(outcomes[order[i - 1]], outcomes[order[i]], now))
                {
                    continue;
                }

                if (i - start >= Smallest)
                {
                    ranges.Add((start, i - start));
                }

                start = i;
            }

            return ranges;
        }

        private static bool Continues(ItemOutcome previous, ItemOutcome next, long now) =>
            next.LeaseToken == previous.LeaseToken &&
            next.LeasePosition == previous.LeasePosition + 1 &&
            next.StartedMs == previous.StartedMs &&
            (next.FinishedMs ?? now) == (previous.FinishedMs ?? now) &&
            next.DurationMs == previous.DurationMs &&
            next.Batch == previous.Batch;

        /// <summary>Writes one range; returns the rows written.</summary>
        private int Execute(ItemOutcome head, long now, long lastId)
        {
            SqlitePlainSuccess.BindSucceeded(_statement, head, now);
            _statement.Bind(5, head.ItemId);
            _statement.Bind(6, lastId);
            _statement.Bind(7, head.LeaseToken);
            return _statement.Execute();
        }

        private void Exec(string sql)
        {
            int rc = raw.sqlite3_exec(_db, sql);
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }
}
