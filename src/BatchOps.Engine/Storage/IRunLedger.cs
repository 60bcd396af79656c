using System.Collections.Generic;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// The run ledger of a store: runs and their checkpoints, claims, commits, leases and signals. Every method is one
    /// short transaction, and leases carry their own expiry and fencing token, so that runs of several processes (or
    /// machines, on a server store) share one job safely.
    /// </summary>
    public interface IRunLedger
    {
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

        /// <summary>Asks a run to sleep until resumed, or to wake. False if it is not running.</summary>
        bool RequestSuspend(long runId, bool suspend);

        /// <summary>Stop and suspend requests for the run and its job's pending count: one cheap read, polled every second.</summary>
        RunSignals ReadSignals(long runId);

        /// <summary>Records what the run is doing (paused, idle, deep sleep...) and why, for checkpoints and health.</summary>
        void SetRunActivity(long runId, RunActivity activity, string? reason);

        /// <summary>Records the name of the backup set the run just took.</summary>
        void RecordRunBackup(long runId, string backupName);
    }
}
