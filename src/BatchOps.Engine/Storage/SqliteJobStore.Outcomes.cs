using System;
using System.Collections.Generic;
using System.Globalization;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// Records a commit's outcomes, each by one fenced UPDATE (same id, same lease token, still running). The most
    /// common outcome, a success with no result text, has a statement of its own with only the parameters it needs,
    /// bound by position through SQLitePCLRaw (the layer under Microsoft.Data.Sqlite, on the same connection and in the
    /// same transaction): the driver otherwise looks every parameter up by name and builds a data reader for each
    /// execution, which for a no-op item cost more than SQLite's own work on the row.
    /// </summary>
    public sealed partial class SqliteJobStore
    {
        private PlainSuccessStatement? _plainSuccess;

        /// <summary>Writes every outcome whose lease is still ours; <paramref name="accepted"/>[i] says whether outcome i was.</summary>
        private void RecordOutcomes(IReadOnlyList<ItemOutcome> outcomes, long now, bool[] accepted)
        {
            for (int i = 0; i < outcomes.Count; i++)
            {
                ItemOutcome outcome = outcomes[i];
                accepted[i] = outcome.Kind == OutcomeKind.Succeeded && outcome.Result == null && outcome.Error == null
                    ? (_plainSuccess ??= new PlainSuccessStatement(_db)).Execute(outcome, now)
                    : RecordOutcome(outcome, now);
            }
        }

        /// <summary>Finalizes the statement; the connection is closed after it.</summary>
        private void DisposeOutcomeStatements()
        {
            _plainSuccess?.Dispose();
            _plainSuccess = null;
        }

        /// <summary>What <see cref="RecordOutcome"/> writes for a success without result text.</summary>
        private sealed class PlainSuccessStatement : IDisposable
        {
            private const int Done = 101; // SQLITE_DONE

            private static readonly string Sql =
                "UPDATE items SET status = " + ((int)ItemStatus.Succeeded).ToString(CultureInfo.InvariantCulture) + ", result = NULL, last_error = NULL, " +
                "started_ms = COALESCE(?1, started_ms), finished_ms = ?2, duration_ms = ?3, finished_batch = ?4, lease_token = NULL, lease_expires_ms = NULL " +
                "WHERE id = ?5 AND lease_token = ?6 AND status = 1";

            private readonly sqlite3 _db;
            private readonly sqlite3_stmt _statement;

            public PlainSuccessStatement(SqliteConnection connection)
            {
                _db = connection.Handle!;
                int rc = raw.sqlite3_prepare_v2(_db, Sql, out _statement);
                SqliteException.ThrowExceptionForRC(rc, _db);
            }

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

            public void Dispose() => _statement.Dispose();

            private void Bind(int index, long? value)
            {
                int rc = value is long v ? raw.sqlite3_bind_int64(_statement, index, v) : raw.sqlite3_bind_null(_statement, index);
                SqliteException.ThrowExceptionForRC(rc, _db);
            }
        }
    }
}
