using System;
using System.Globalization;
using System.Threading;
using Npgsql;

namespace BatchOps.Engine.Storage.Postgres
{
    /// <summary>
    /// The one connection that the parts of a PostgreSQL store share (catalog, run ledger, statistics), with its lock
    /// and its transactions. Tables are named without their schema: the connection's search path is the BatchOps
    /// schema. Commands are prepared by Npgsql after their second use (auto-prepare), so hot paths need no cache here.
    /// </summary>
    internal sealed class PostgresSession : IStoreSession, IDisposable
    {
        /// <summary>How often a transaction that lost a deadlock or a serialization race is tried again, whole.</summary>
        private const int ConflictRetries = 8;

        private readonly object _gate = new object();
        private readonly TimeProvider _time;
        private readonly long _serverOffsetMs;
        private StoreSql? _sql;
        private bool _disposed;

        public PostgresSession(PostgresAddress address, NpgsqlConnection connection, TimeProvider time, bool readOnly)
        {
            Address = address;
            Connection = connection;
            _time = time;
            IsReadOnly = readOnly;
            _serverOffsetMs = ScalarLong("SELECT " + PostgresSchema.NowMs) - LocalMs();
        }

        public PostgresAddress Address { get; }

        /// <summary>The store as shown: <c>postgresql://user@host/db</c>, never with a password.</summary>
        public string Location => Address.Display;

        /// <summary>Statements whose text is the same on every backend, on this connection.</summary>
        public StoreSql Sql => _sql ??= StoreSql.For(this);

        /// <summary>Where this backend's SQL differs from the other's.</summary>
        public StoreDialect Dialect => StoreDialect.Postgres;

        public bool IsReadOnly { get; }

        public NpgsqlConnection Connection { get; }

        /// <summary>
        /// Milliseconds since the Unix epoch on the server's clock (this host's clock moved by the offset measured when
        /// the store was opened): leases and heartbeats of every host are timed on one clock, so a host whose clock
        /// runs ahead cannot take a live lease for expired.
        /// </summary>
        public long NowMs() => LocalMs() + _serverOffsetMs;

        public void RequireWritable()
        {
            if (IsReadOnly)
            {
                throw new InvalidOperationException("The store was opened read-only; open it with StoreAccess.ReadWrite to change it.");
            }
        }

        /// <summary>Runs one store operation under the connection's lock, turning PostgreSQL errors into BatchOps errors.</summary>
        public T Guarded<T>(Func<T> operation)
        {
            lock (_gate)
            {
                if (_disposed)
                {
                    throw new ObjectDisposedException(nameof(PostgresJobStore), $"The store '{Location}' has been closed.");
                }

                try
                {
                    return operation();
                }
                catch (NpgsqlException e)
                {
                    throw PostgresErrors.Translate(e, Address);
                }
            }
        }

        /// <summary>
        /// One READ COMMITTED transaction. A transaction that lost a deadlock or a serialization race to another
        /// host is rolled back and run again from the start, so that such races never reach the user.
        /// </summary>
        public T Write<T>(Func<T> body)
        {
            for (int attempt = 1; ; attempt++)
            {
                using NpgsqlTransaction transaction = Connection.BeginTransaction();
                try
                {
                    T result = body();
                    transaction.Commit();
                    return result;
                }
                catch (PostgresException e) when (IsConflict(e) && attempt < ConflictRetries)
                {
                    transaction.Rollback();
                    Thread.Sleep(attempt * 5); // let the winner finish; not a synchronisation, only less contention
                }
            }
        }

        public NpgsqlCommand Command(string sql, params (string Name, object? Value)[] args)
        {
            var cmd = new NpgsqlCommand(sql, Connection);
            foreach ((string name, object? value) in args)
            {
                cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
            }

            return cmd;
        }

        public int Execute(string sql, params (string Name, object? Value)[] args)
        {
            using NpgsqlCommand cmd = Command(sql, args);
            return cmd.ExecuteNonQuery();
        }

        public long ScalarLong(string sql, params (string Name, object? Value)[] args)
        {
            using NpgsqlCommand cmd = Command(sql, args);
            object? value = cmd.ExecuteScalar();
            return value == null || value is DBNull ? 0L : Convert.ToInt64(value, CultureInfo.InvariantCulture);
        }

        /// <summary>Tells every listening run (on any host) that something of the job changed: items added, a signal.</summary>
        public void Notify(long jobId) => Execute("SELECT pg_notify(@channel, @job)", ("channel", PostgresSchema.Channel), ("job", jobId.ToString(CultureInfo.InvariantCulture)));

        public static string? NullableString(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

        public static long? NullableLong(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? (long?)null : reader.GetInt64(ordinal);

        public void Dispose()
        {
            lock (_gate)
            {
                if (_disposed)
                {
                    return;
                }

                _disposed = true;
                Connection.Dispose();
            }
        }

        private static bool IsConflict(PostgresException e) =>
            e.SqlState == PostgresErrorCodes.DeadlockDetected || e.SqlState == PostgresErrorCodes.SerializationFailure;

        private long LocalMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();
    }
}
