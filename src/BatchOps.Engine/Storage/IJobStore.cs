using System;
using System.Collections.Generic;
using BatchOps.Engine.Health;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// Where jobs, items, runs and their outcomes live. The embedded default is <see cref="SqliteJobStore"/>; the
    /// interface is shaped so that a server database (PostgreSQL) can hold runs spread over several machines:
    /// every method is one short transaction, and leases carry their own expiry and fencing token.
    /// </summary>
    public interface IJobStore : IDisposable
    {
        /// <summary>The full path (or connection name) of the store, carried on every object it returns.</summary>
        string Location { get; }

        BatchJob? FindJob(string name);

        /// <summary>The job, or a JobNotFound error that names the jobs the store does have.</summary>
        BatchJob GetJob(string name);

        BatchJob GetOrCreateJob(string name);

        IReadOnlyList<BatchJob> GetJobs();

        /// <summary>The job's runs, newest first (its run history).</summary>
        IReadOnlyList<BatchRun> GetRuns(BatchJob job, RunQuery query);

        /// <summary>Deletes the records of ended runs (batches and error lines too), never items; returns the ids deleted.</summary>
        IReadOnlyList<long> RemoveRuns(BatchJob job, IReadOnlyList<long> runIds);

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

        IReadOnlyList<ErrorEntry> GetErrors(BatchJob job, int last);

        /// <summary>The (run, batch) pairs that finished items of the job, in order; optionally of one run, one batch number, or with items of one status.</summary>
        IReadOnlyList<FinishedBatch> GetFinishedBatches(BatchJob job, long? runId, long? batch, ItemStatus? status = null);

        /// <summary>
        /// Puts the job's items that succeeded after <paramref name="afterMs"/> and before <paramref name="beforeMs"/>
        /// back to pending (a restored vector store does not hold their results). Returns how many.
        /// </summary>
        long ReturnFinishedToPending(BatchJob job, long afterMs, long beforeMs);

        /// <summary>The checkpoint of the job's latest run, or null if it never ran.</summary>
        BatchCheckpoint? GetCheckpoint(BatchJob job);

        /// <summary>Runs of the job still marked Running (some may belong to dead processes).</summary>
        IReadOnlyList<RunRecord> GetActiveRuns(long jobId);

        /// <summary>Marks runs Crashed and returns their leased items to pending. Returns items returned.</summary>
        long AbandonRuns(long jobId, IReadOnlyList<long> runIds, string message);

        long StartRun(long jobId, RunStart start);

        /// <summary>
        /// Claims up to <paramref name="count"/> items (expired leases first when <paramref name="includeExpired"/>,
        /// then pending) in one transaction, leased to the run until <paramref name="leaseExpiresMs"/>. Items already
        /// started <paramref name="maxAttempts"/> times are failed instead of claimed. With <paramref name="onlyKeys"/>,
        /// only items with those keys are claimed.
        /// </summary>
        ClaimResult Claim(long jobId, long runId, int count, long leaseExpiresMs, int maxAttempts, bool includeExpired = true, IReadOnlyCollection<string>? onlyKeys = null);

        /// <summary>Writes outcomes, retries, finished batches and the checkpoint in one transaction.</summary>
        CommitResult Commit(RunCommit commit);

        /// <summary>Extends the leases of the run's items and its heartbeat. Returns true if a stop was requested.</summary>
        bool RenewLeases(long jobId, long runId, long leaseExpiresMs);

        /// <summary>Asks a run (in any process) to stop at its next batch boundary.</summary>
        bool RequestStop(long runId);

        /// <summary>Asks a run to sleep until resumed (Suspend-BatchRun), or to wake (Resume-BatchRun). False if it is not running.</summary>
        bool RequestSuspend(long runId, bool suspend);

        /// <summary>Stop and suspend requests for the run and its job's pending count: one cheap read, polled every second.</summary>
        RunSignals ReadSignals(long runId);

        /// <summary>Records what the run is doing (paused, idle, deep sleep...) and why, for Get-BatchCheckpoint and Get-BatchHealth.</summary>
        void SetRunActivity(long runId, RunActivity activity, string? reason);

        /// <summary>Records the name of the backup set the run just took.</summary>
        void RecordRunBackup(long runId, string backupName);

        /// <summary>Outcomes of the job's latest finished batches and its recent error log, for health checks.</summary>
        JobActivity GetRecentActivity(BatchJob job, long sinceMs, int minItems);


        /// <summary>Milliseconds since the Unix epoch on the store's clock.</summary>
        long NowMs();
    }
}
