using System;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// Where jobs, items, runs and their outcomes live: the composition of the store's parts, its
    /// <see cref="IJobCatalog"/>, <see cref="IRunLedger"/> and <see cref="IJobStatistics"/>, and <see cref="IJobImport"/> for copies between stores. The embedded default is
    /// <see cref="SqliteJobStore"/>; <see cref="JobStoreFactory"/> chooses the backend from the store string, so that a
    /// server database (PostgreSQL) can hold runs spread over several machines behind the same interfaces.
    /// </summary>
    public interface IJobStore : IJobCatalog, IRunLedger, IJobStatistics, IJobImport, IDisposable
    {
        /// <summary>The full path (or connection name) of the store, carried on every object it returns.</summary>
        string Location { get; }

        /// <summary>Milliseconds since the Unix epoch on the store's clock.</summary>
        long NowMs();
    }
}
