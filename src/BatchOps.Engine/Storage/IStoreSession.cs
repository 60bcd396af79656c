using System;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// What the parts of a store that are the same on every backend need of its one connection: its lock, its write
    /// transactions, its clock and its SQL (<see cref="SqliteSession"/>, <see cref="Postgres.PostgresSession"/>).
    /// </summary>
    internal interface IStoreSession
    {
        /// <summary>The store as shown in the objects read.</summary>
        string Location { get; }

        /// <summary>Statements whose text is the same on every backend.</summary>
        StoreSql Sql { get; }

        /// <summary>Where this backend's SQL differs from the other's.</summary>
        StoreDialect Dialect { get; }

        /// <summary>Throws if the store was opened read-only (<see cref="ReadOnlyStore"/>).</summary>
        void RequireWritable();

        /// <summary>Runs one store operation under the connection's lock, the backend's errors turned into BatchOps errors.</summary>
        T Guarded<T>(Func<T> operation);

        /// <summary>One write transaction (the caller holds the lock).</summary>
        T Write<T>(Func<T> body);
    }

    /// <summary>A change asked of a store opened read-only: a fault of the caller, the same on every backend.</summary>
    internal static class ReadOnlyStore
    {
        public static void Refuse(bool isReadOnly)
        {
            if (isReadOnly)
            {
                throw new InvalidOperationException("The store was opened read-only; open it with StoreAccess.ReadWrite to change it.");
            }
        }
    }
}
