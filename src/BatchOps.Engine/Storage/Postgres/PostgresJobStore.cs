using System;
using System.Collections.Generic;
using BatchOps.Engine.Health;
using Npgsql;

namespace BatchOps.Engine.Storage.Postgres
{
    /// <summary>
    /// A job store on a PostgreSQL server, shared by runs on several machines: the same operations and outcomes as the
    /// embedded <see cref="SqliteJobStore"/>. One instance holds one connection (<see cref="PostgresSession"/>) and
    /// serialises its own callers; claims skip rows other hosts hold (FOR UPDATE SKIP LOCKED), and leases and
    /// heartbeats are timed on the server's clock. Opened, checked and upgraded by <see cref="PostgresStoreFile"/>;
    /// jobs and items are the <see cref="JobCatalog"/>, runs, claims and commits the
    /// <see cref="RunLedger"/>, errors, activity, history and baselines the <see cref="JobStatistics"/>.
    /// </summary>
    public sealed class PostgresJobStore : ComposedJobStore, IJobChangeFeed
    {
        private readonly PostgresSession _session;

        private PostgresJobStore(PostgresSession session, PostgresErrorLog errors)
            : base(new JobCatalog(session, new PostgresItemEnqueue(session), session.Notify), new RunLedger(session, new PostgresClaims(session), new PostgresCommits(session, errors), errors, jobChanged: session.Notify), new JobStatistics(session), new PostgresItemImport(session))
        {
            _session = session;
        }

        private PostgresJobStore(PostgresSession session)
            : this(session, new PostgresErrorLog(session))
        {
        }

        /// <summary>The store as shown, <c>postgresql://user@host/database</c>: never with its password.</summary>
        public override string Location => _session.Location;

        public bool IsReadOnly => _session.IsReadOnly;

        /// <summary>
        /// Opens the store a postgresql:// URI or connection string names; for <see cref="StoreAccess.ReadWrite"/> the
        /// schema is created or upgraded when the user may. <paramref name="time"/> is this host's clock (tests move it);
        /// the store times leases on the server's clock whatever it says.
        /// </summary>
        public static PostgresJobStore Open(string store, StoreAccess access = StoreAccess.ReadWrite, TimeProvider? time = null)
        {
            PostgresAddress address = PostgresAddress.Parse(store);
            bool readOnly = access == StoreAccess.ReadOnly;
            NpgsqlConnection connection = PostgresStoreFile.Open(address, access);
            try
            {
                return new PostgresJobStore(new PostgresSession(address, connection, time ?? TimeProvider.System, readOnly));
            }
            catch (NpgsqlException e)
            {
                connection.Dispose();
                throw PostgresErrors.Translate(e, address);
            }
        }

        /// <summary>Checks the store string and that the server answers, without writing. Returns whether the store's schema exists.</summary>
        public static bool CheckLocation(string store) => PostgresStoreFile.Exists(PostgresAddress.Parse(store));

        public override long NowMs() => _session.NowMs();

        /// <summary>Listens (LISTEN/NOTIFY, on a connection of its own) for the job's changes told by any host.</summary>
        public IJobChangeListener Listen(long jobId) => _session.Guarded(() => new PostgresChangeListener(_session.Address, jobId));

        public override void Dispose() => _session.Dispose();
    }
}
