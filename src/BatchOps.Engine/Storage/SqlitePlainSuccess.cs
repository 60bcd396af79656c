using System;
using Microsoft.Data.Sqlite;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// What a commit writes for the most common outcome, a success with no result text: a statement of its own with
    /// only the parameters it needs (<see cref="SqliteRawStatement"/>). Runs of them are written a range at a time
    /// (<see cref="SqliteSuccessRanges"/>); this one writes the rest.
    /// </summary>
    internal sealed class SqlitePlainSuccess : IDisposable
    {
        /// <summary>What a plain success writes (?1 started, ?2 finished, ?3 duration, ?4 batch); the WHERE is the caller's.</summary>
        internal static readonly string SetSucceeded =
            "UPDATE items SET status = " + ItemStatusSql.Succeeded + ", result = NULL, last_error = NULL, " +
            "started_ms = COALESCE(?1, started_ms), finished_ms = ?2, duration_ms = ?3, finished_batch = ?4, lease_token = NULL, lease_expires_ms = NULL ";

        private static readonly string Sql = SetSucceeded + "WHERE id = ?5 AND lease_token = ?6 AND status = " + ItemStatusSql.Running;

        private readonly SqliteRawStatement _statement;

        public SqlitePlainSuccess(SqliteConnection connection)
        {
            _statement = new SqliteRawStatement(connection, Sql);
        }

        /// <summary>Whether an outcome is one this statement writes.</summary>
        public static bool Fits(ItemOutcome outcome) => outcome.Kind == OutcomeKind.Succeeded && outcome.Result == null && outcome.Error == null;

        /// <summary>Returns whether the lease was still ours (one row written).</summary>
        public bool Execute(ItemOutcome outcome, long now)
        {
            BindSucceeded(_statement, outcome, now);
            _statement.Bind(5, outcome.ItemId);
            _statement.Bind(6, outcome.LeaseToken);
            return _statement.Execute() == 1;
        }

        public void Dispose() => _statement.Dispose();

        /// <summary>Binds the values of <see cref="SetSucceeded"/> (?1 to ?4) from an outcome.</summary>
        internal static void BindSucceeded(SqliteRawStatement statement, ItemOutcome outcome, long now)
        {
            statement.Bind(1, outcome.StartedMs);
            statement.Bind(2, outcome.FinishedMs ?? now);
            statement.Bind(3, outcome.DurationMs);
            statement.Bind(4, outcome.Batch);
        }
    }
}
