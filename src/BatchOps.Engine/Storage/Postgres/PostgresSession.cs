using System;
using System.Data;
using System.Globalization;
using System.Threading;
using Npgsql;
using Polly;
using Polly.Retry;

namespace BatchOps.Engine.Storage.Postgres
{
    /// <summary>
    /// The one connection that the parts of a PostgreSQL store share (catalog, run ledger, statistics), with its lock
    /// and its transactions. Tables are named without their schema: the connection's search path is the BatchOps
    /// schema. Commands are prepared by Npgsql after their second use (auto-prepare), so hot paths need no cache here.
    /// A connection lost (a server restart or failover, an idle timeout, a terminated backend) is opened again and the
    /// operation tried again, for about 15 seconds, before the store is reported unreachable.
    /// </summary>
    internal sealed class PostgresSession : IStoreSession, IDisposable
    {
        /// <summary>How often a transaction that lost a deadlock or a serialization race is tried again, whole.</summary>
        private const int ConflictRetries = 8;

        private readonly object _gate = new object();
        private readonly TimeProvider _time;
        private readonly long _serverOffsetMs;
        private readonly ResiliencePipeline _reconnect;
        private StoreSql? _sql;
        private bool _disposed;

        public PostgresSession(PostgresAddress address, NpgsqlConnection connection, TimeProvider time, bool readOnly)
        {
            Address = address;
            Connection = connection;
            _time = time;
            IsReadOnly = readOnly;
            _reconnect = new ResiliencePipelineBuilder()
                .AddRetry(new RetryStrategyOptions
                {
                    ShouldHandle = new PredicateBuilder().Handle<NpgsqlException>(_ => ConnectionLost),
                    MaxRetryAttempts = 6,
                    Delay = TimeSpan.FromMilliseconds(250),
                    BackoffType = DelayBackoffType.Exponential, // 0.25 s doubling: about 15 s in all
                })
                .Build();
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

        /// <summary>The open connection (another one after a lost one was opened again).</summary>
        public NpgsqlConnection Connection { get; private set; }

        /// <summary>
        /// Milliseconds since the Unix epoch on the server's clock (this host's clock moved by the offset measured when
        /// the store was opened): leases and heartbeats of every host are timed on one clock, so a host whose clock
        /// runs ahead cannot take a live lease for expired.
        /// </summary>
        public long NowMs() => LocalMs() + _serverOffsetMs;

        public void RequireWritable() => ReadOnlyStore.Refuse(IsReadOnly);

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
                    return _reconnect.Execute(() =>
                    {
                        ReopenIfLost();
                        return operation();
                    });
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

        /// <summary>The connection broke or closed under an operation: the server went away, or ended this session.</summary>
        private bool ConnectionLost => Connection.State != ConnectionState.Open || (Connection.FullState & ConnectionState.Broken) != 0;

        /// <summary>
        /// Opens the connection again when it was lost; a failure here is retried like the lost operation. Whatever
        /// the lost connection's transaction did was rolled back by the server, except a commit whose answer was lost:
        /// leases and fencing tokens make a second try of that harmless.
        /// </summary>
        private void ReopenIfLost()
        {
            if (!ConnectionLost)
            {
                return;
            }

            NpgsqlConnection.ClearPool(Connection); // its idle siblings may be as dead as it is
            Connection.Dispose();
            var connection = new NpgsqlConnection(Address.Settings.ConnectionString);
            Connection = connection;
            connection.Open();
        }

        private static bool IsConflict(PostgresException e) =>
            e.SqlState == PostgresErrorCodes.DeadlockDetected || e.SqlState == PostgresErrorCodes.SerializationFailure;

        private long LocalMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();
    }
}
