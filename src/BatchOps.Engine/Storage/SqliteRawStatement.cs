using System;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// A statement of the hot path (an outcome, a range of them, a batch record) prepared once and bound by position
    /// through SQLitePCLRaw, the layer under Microsoft.Data.Sqlite, on the same connection and in the same transaction.
    /// The driver otherwise looks every parameter up by name and builds a data reader for each execution, which for a
    /// no-op item cost more than SQLite's own work on the row.
    /// </summary>
    internal sealed class SqliteRawStatement : IDisposable
    {
        private const int Done = 101; // SQLITE_DONE

        private readonly sqlite3 _db;
        private readonly sqlite3_stmt _statement;

        // What each parameter holds now: SQLite keeps a statement's bindings across resets, so a value equal to the one
        // already bound (the lease token and batch of a whole claim, the same millisecond) is not bound again.
        private readonly long?[] _bound;
        private readonly bool[] _isBound;

        public SqliteRawStatement(SqliteConnection connection, string sql)
        {
            _db = connection.Handle!;
            int rc = raw.sqlite3_prepare_v2(_db, sql, out _statement);
            SqliteException.ThrowExceptionForRC(rc, _db);
            int parameters = raw.sqlite3_bind_parameter_count(_statement) + 1; // numbered from 1
            _bound = new long?[parameters];
            _isBound = new bool[parameters];
        }

        /// <summary>Binds parameter <paramref name="index"/> (?1 is 1) to a number or NULL.</summary>
        public void Bind(int index, long? value)
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

        /// <summary>Binds parameter <paramref name="index"/> to a text or NULL (not remembered: texts differ row to row).</summary>
        public void Bind(int index, string? value)
        {
            _isBound[index] = false;
            int rc = value == null ? raw.sqlite3_bind_null(_statement, index) : raw.sqlite3_bind_text(_statement, index, value);
            SqliteException.ThrowExceptionForRC(rc, _db);
        }

        /// <summary>Runs the statement with the values bound; returns the rows it changed.</summary>
        public int Execute()
        {
            int rc = raw.sqlite3_step(_statement);
            raw.sqlite3_reset(_statement);
            if (rc != Done)
            {
                SqliteException.ThrowExceptionForRC(rc, _db);
            }

            return raw.sqlite3_changes(_db);
        }

        /// <summary>Finalizes the statement; the connection is closed after it.</summary>
        public void Dispose() => _statement.Dispose();
    }
}
