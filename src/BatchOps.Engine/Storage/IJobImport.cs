using System.Collections.Generic;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// Writing a job's items and error log lines as another store holds them (<see cref="JobCopier"/>, Copy-BatchJob):
    /// with their status, attempts, results, last errors, payloads and times, where <see cref="IJobCatalog.Enqueue"/>
    /// adds only new, pending items.
    /// </summary>
    public interface IJobImport
    {
        /// <summary>
        /// Adds <paramref name="items"/> (none Running: see <see cref="ItemState.Of"/>) and the error log
        /// <paramref name="lines"/> to the job in one transaction; the job's counters follow the items. Keys the job
        /// already has are left as they are. The lines name no run: the runs of another store are not this store's.
        /// Returns how many items were added.
        /// </summary>
        long ImportItems(BatchJob job, IReadOnlyList<ItemState> items, IReadOnlyList<ErrorEntry> lines);
    }
}
