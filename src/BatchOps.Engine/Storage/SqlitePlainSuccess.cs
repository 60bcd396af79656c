using System;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// What a commit writes for the most common outcome, a success with no result text: a statement of its own with
    /// only the parameters it needs, bound by position through SQLitePCLRaw (the layer under Microsoft.Data.Sqlite, on
    /// the same connection and in the same transaction). The driver otherwise looks every parameter up by name and
    /// builds a data reader for each execution, which for a no-op item cost more than SQLite's own work on the row.
    /// </summary>
    internal sealed class SqlitePlainSuccess : IDisposable
    {
        private const int Done = 101; // SQLITE_DONE

        private static readonly string Sql =
            "UPDATE items SET status = " + ItemStatusSql.Succeeded + ", result = NULL, last_error = NULL, " +
            "started_ms = COALESCE(?1, started_ms), finished_ms = ?2, duration_ms = ?3, finished_batch = ?4, lease_token = NULL, lease_expires_ms = NULL " +
            "WHERE id = ?5 AND lease_token = ?6 AND status = " + ItemStatusSql.Running;

        private readonly sqlite3 _db;
        private readonly sqlite3_stmt _statement;

        // What each parameter holds now: SQLite keeps a statement's bindings across resets, so a value equal to the one
        // already bound (the lease token and batch of a whole claim, the same millisecond) is not bound again.
        private readonly long?[] _bound = new long?[7];
        private readonly bool[] _isBound = new bool[7];

        public SqlitePlainSuccess(SqliteConnection connection)
        {
            _db = connection.Handle!;
            int rc = raw.sqlite3_prepare_v2(_db, Sql, out _statement);
            SqliteException.ThrowExceptionForRC(rc, _db);
        }

        /// <summary>Whether an outcome is one this statement writes.</summary>
        public static bool Fits(ItemOutcome outcome) => outcome.Kind == OutcomeKind.Succeeded && outcome.Result == null && outcome.Error == null;

        /// <summary>Returns whether the lease was still ours (one row written).</summary>
        public bool Execute(ItemOutcome outcome, long now)
        {
            Bind(1, outcome.StartedMs);
            Bind(2, outcome.FinishedMs ?? now);
            Bind(3, outcome.DurationMs);
            Bind(4, outcome.Batch);
            Bind(5, outcome.ItemId);
            Bind(6, outcome.LeaseToken);
            int rc = raw.sqlite3_step(_statement);
            raw.sqlite3_reset(_statement);
            if (rc != Done)
            {
                SqliteException.ThrowExceptionForRC(rc, _db);
            }

            return raw.sqlite3_changes(_db) == 1;
        }

        /// <summary>Finalizes the statement; the connection is closed after it.</summary>
        public void Dispose() => _statement.Dispose();

        private void Bind(int index, long? value)
        {
            if (_isBound[index] && _bound[index] == value)
            {
                return;
            }

            _isBound[index] = false;
            int rc = value is long v ? raw.sqlite3_bind_int64(_statement, index, v) : raw.sqlite3_bind_null(_statement, index);
            SqliteException.ThrowExceptionForRC(rc, _db);
            _bound[index] = value;
            _isBound[index] = true;
        }
    }
}
