using System;
using System.Collections.Generic;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// The one connection that the parts of a SQLite store share (catalog, run ledger, statistics), with its lock, its
    /// transactions and its one cache of kept-prepared commands. Every operation runs under the lock
    /// (<see cref="Guarded{T}"/>) and every write is one BEGIN IMMEDIATE transaction (<see cref="Write{T}"/>).
    /// </summary>
    internal sealed class SqliteSession : IStoreSession, IDisposable
    {
        private readonly object _gate = new object();
        private readonly Dictionary<string, SqliteCommand> _commands = new Dictionary<string, SqliteCommand>(StringComparer.Ordinal);
        private readonly List<IDisposable> _owned = new List<IDisposable>();
        private readonly TimeProvider _time;
        private readonly SqliteRoom _room;
        private StoreSql? _sql;
        private bool _disposed;

        public SqliteSession(string location, SqliteConnection connection, TimeProvider time, bool readOnly, TimeSpan busyTimeout)
        {
            Location = location;
            Connection = connection;
            _time = time;
            IsReadOnly = readOnly;
            BusyTimeout = busyTimeout;
            _room = new SqliteRoom(this);
        }

        /// <summary>The full path of the store file.</summary>
        public string Location { get; }

        /// <summary>Statements whose text is the same on every backend, on this connection.</summary>
        public StoreSql Sql => _sql ??= StoreSql.For(this);

        /// <summary>Where this backend's SQL differs from the other's.</summary>
        public StoreDialect Dialect => StoreDialect.Sqlite;

        public bool IsReadOnly { get; }

        public TimeSpan BusyTimeout { get; }

        public SqliteConnection Connection { get; }

        /// <summary>Milliseconds since the Unix epoch on the store's clock.</summary>
        public long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

        public void RequireWritable() => ReadOnlyStore.Refuse(IsReadOnly);

        /// <summary>Runs one store operation under the connection's lock, turning SQLite errors into BatchOps errors.</summary>
        public T Guarded<T>(Func<T> operation)
        {
            lock (_gate)
            {
                if (_disposed)
                {
                    throw new ObjectDisposedException(nameof(SqliteJobStore), $"The store '{Location}' has been closed.");
                }

                try
                {
                    return operation();
                }
                catch (SqliteException e)
                {
                    throw SqliteErrors.Translate(e, Location, BusyTimeout);
                }
            }
        }

        /// <summary>
        /// One write transaction (see <see cref="WriteMakingRoom"/> for a full disk). BEGIN IMMEDIATE takes the write
        /// lock up front, so the transaction never fails halfway on a lock.
        /// </summary>
        public T Write<T>(Func<T> body) => WriteMakingRoom(false, body);

        /// <summary>
        /// One write transaction, made to get through a full disk where it can (<see cref="SqliteRoom"/>): on
        /// SQLITE_FULL the whole transaction is tried again after room was made; <paramref name="final"/> (a run's
        /// final checkpoint) may first use the store's reserve. When nothing makes room, the disk-full error stands.
        /// </summary>
        public T WriteMakingRoom<T>(bool final, Func<T> body)
        {
            int tried = final ? 0 : 1;
            while (true)
            {
                try
                {
                    T result = WriteOnce(body);
                    _room.FoldLogWhenLowOnSpace();
                    return result;
                }
                catch (SqliteException e) when (e.SqliteErrorCode == SqliteRoom.SqliteFull && _room.MakeRoom(ref tried))
                {
                    // room was made: the whole transaction again, from the start
                }
            }
        }

        private T WriteOnce<T>(Func<T> body)
        {
            Cached("tx.begin", "BEGIN IMMEDIATE").ExecuteNonQuery();
            try
            {
                T result = body();
                Cached("tx.commit", "COMMIT").ExecuteNonQuery();
                return result;
            }
            catch
            {
                try
                {
                    Cached("tx.rollback", "ROLLBACK").ExecuteNonQuery();
                }
                catch (SqliteException)
                {
                    // SQLite rolls back by itself after some errors; the original error is the one to report.
                }

                throw;
            }
        }

        /// <summary>A one-off command (the caller disposes it).</summary>
        public SqliteCommand Command(string sql, params (string Name, object? Value)[] args)
        {
            SqliteCommand cmd = Connection.CreateCommand();
            cmd.CommandText = sql;
            foreach ((string name, object? value) in args)
            {
                cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
            }

            return cmd;
        }

        public int Execute(string sql, params (string Name, object? Value)[] args)
        {
            using SqliteCommand cmd = Command(sql, args);
            return cmd.ExecuteNonQuery();
        }

        public long ScalarLong(string sql, params (string Name, object? Value)[] args)
        {
            using SqliteCommand cmd = Command(sql, args);
            return Convert.ToInt64(cmd.ExecuteScalar() ?? 0L, CultureInfo.InvariantCulture);
        }

        /// <summary>
        /// The store's one cache of commands kept prepared for its life: the hot paths reuse each with new values.
        /// The first call under a <paramref name="name"/> prepares <paramref name="sql"/> with the parameters named in
        /// <paramref name="args"/>; every call binds their values. A loop may bind later values with <see cref="Set"/>.
        /// </summary>
        public SqliteCommand Cached(string name, string sql, params (string Name, object? Value)[] args)
        {
            if (!_commands.TryGetValue(name, out SqliteCommand? cmd))
            {
                cmd = Connection.CreateCommand();
                cmd.CommandText = sql;
                foreach ((string parameter, _) in args)
                {
                    cmd.Parameters.Add(new SqliteParameter(parameter, DBNull.Value));
                }

                _commands[name] = cmd;
            }

            foreach ((string parameter, object? value) in args)
            {
                cmd.Parameters[parameter].Value = value ?? DBNull.Value;
            }

            return cmd;
        }

        public static void Set(SqliteCommand cmd, string name, object? value) => cmd.Parameters[name].Value = value ?? DBNull.Value;

        public static string? NullableString(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

        public static long? NullableLong(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? (long?)null : reader.GetInt64(ordinal);

        /// <summary>Keeps a resource of the connection (a raw statement) to be released before the connection closes.</summary>
        public T Own<T>(T resource)
            where T : IDisposable
        {
            _owned.Add(resource);
            return resource;
        }

        public void Dispose()
        {
            lock (_gate)
            {
                if (_disposed)
                {
                    return;
                }

                _disposed = true;
                foreach (SqliteCommand cmd in _commands.Values)
                {
                    cmd.Dispose();
                }

                _commands.Clear();
                foreach (IDisposable resource in _owned)
                {
                    resource.Dispose();
                }

                _owned.Clear();
                Connection.Dispose();
            }
        }
    }
}
