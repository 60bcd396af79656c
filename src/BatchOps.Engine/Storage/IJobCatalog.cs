using System.Collections.Generic;

namespace BatchOps.Engine.Storage
{
    /// <summary>The job catalog of a store: jobs and their counters, items, enqueueing, resets and item queries.</summary>
    public interface IJobCatalog
    {
        BatchJob? FindJob(string name);

        /// <summary>The job, or a JobNotFound error that names the jobs the store does have.</summary>
        BatchJob GetJob(string name);

        BatchJob GetOrCreateJob(string name);

        IReadOnlyList<BatchJob> GetJobs();

        /// <summary>Adds items whose keys the job lacks; existing keys are counted, never duplicated or changed.</summary>
        EnqueueResult Enqueue(BatchJob job, IReadOnlyList<NewItem> items);

        /// <summary>Deletes the job and everything recorded for it. False if it did not exist.</summary>
        bool RemoveJob(BatchJob job);

        /// <summary>Puts every item of the job back to pending and forgets runs, results and errors. Returns items reset.</summary>
        long ClearJob(BatchJob job);

        /// <summary>Puts the named items back to pending with no attempts; running items are left alone.</summary>
        ResetResult ResetItems(BatchJob job, IReadOnlyList<string> keys);

        /// <summary>Puts every item with the given status back to pending. Returns how many.</summary>
        long ResetItems(BatchJob job, ItemStatus status);

        IReadOnlyList<BatchItem> GetItems(BatchJob job, ItemQuery query);

        /// <summary>The (run, batch) pairs that finished items of the job, in order; optionally of one run, one batch number, or with items of one status.</summary>
        IReadOnlyList<FinishedBatch> GetFinishedBatches(BatchJob job, long? runId, long? batch, ItemStatus? status = null);

        /// <summary>
        /// Puts the job's items that succeeded after <paramref name="afterMs"/> and before <paramref name="beforeMs"/>
        /// back to pending (a restored vector store does not hold their results). Returns how many.
        /// </summary>
        long ReturnFinishedToPending(BatchJob job, long afterMs, long beforeMs);
    }
}
