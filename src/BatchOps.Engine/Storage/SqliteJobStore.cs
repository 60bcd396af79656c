using System;
using System.Collections.Generic;
using BatchOps.Engine.Health;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// The embedded job store: one SQLite file in WAL mode. Every write is one BEGIN IMMEDIATE transaction, so writers
    /// from several processes queue on the busy timeout instead of failing with "database is locked"; readers never
    /// wait. One instance holds one connection (<see cref="SqliteSession"/>) and serialises its own callers; its parts
    /// share it: the file is opened, verified and upgraded by <see cref="SqliteStoreOpener"/>, jobs and items are the
    /// <see cref="JobCatalog"/>, runs, claims and commits the <see cref="RunLedger"/>, and errors,
    /// activity, history and baselines the <see cref="JobStatistics"/>. Commands open stores through
    /// <see cref="JobStoreFactory"/>.
    /// </summary>
    public sealed class SqliteJobStore : ComposedJobStore
    {
        /// <summary>The store file used when neither -Store nor $env:BATCHOPS_STORE names one.</summary>
        public const string DefaultFileName = JobStoreFactory.DefaultFileName;

        private readonly SqliteSession _session;

        private SqliteJobStore(SqliteSession session, SqliteErrorLog errors)
            : base(new JobCatalog(session, new SqliteItemEnqueue(session)), new RunLedger(session, new SqliteClaims(session), new SqliteCommits(session, errors), errors, beforeRunStarts: () => StoreReserve.Ensure(session.Location)), new JobStatistics(session), new SqliteItemImport(session))
        {
            _session = session;
        }

        private SqliteJobStore(SqliteSession session)
            : this(session, new SqliteErrorLog(session))
        {
        }

        public override string Location => _session.Location;

        public bool IsReadOnly => _session.IsReadOnly;

        /// <summary>
        /// Opens (or, for <see cref="StoreAccess.ReadWrite"/>, creates) a store. Refuses, without modifying it, a file
        /// that is not a SQLite database, a SQLite database that is not a BatchOps store, and a store from a newer
        /// BatchOps.
        /// </summary>
        public static SqliteJobStore Open(string path, StoreAccess access = StoreAccess.ReadWrite) => Open(path, access, null, null);

        /// <summary>The same, with a clock (tests) and a busy timeout of one's own.</summary>
        /// <remarks>
        /// Kept apart from the overload above so that the cmdlets never name TimeProvider: it lives in
        /// Microsoft.Bcl.TimeProvider, which is loaded only in the module's own load context.
        /// </remarks>
        public static SqliteJobStore Open(string path, StoreAccess access, TimeProvider? time, TimeSpan? busyTimeout = null) =>
            new SqliteJobStore(SqliteStoreOpener.Open(path, access, time, busyTimeout));

        /// <summary>
        /// Checks a store path without creating or opening anything: its folder exists, and the file (if any) is a
        /// SQLite database. Lets a command refuse a bad -Store before reading its input, and create the store only
        /// when the first valid item arrives.
        /// </summary>
        public static bool CheckLocation(string fullPath) => SqliteStoreOpener.CheckLocation(fullPath);

        public override long NowMs() => _session.NowMs();

        public override void Dispose() => _session.Dispose();
    }
}
