namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// The run ledger's statements whose text is the same on SQLite and PostgreSQL (both take <c>@name</c>
    /// parameters): one rule for leases, run rows and signals, used by <see cref="RunLedger"/> and the claims and
    /// commits of both backends.
    /// </summary>
    internal static class RunLedgerSql
    {
        /// <summary>A new run (<c>@job, @state, @host, @pid, @pstart, @user, @options, @now</c>); returns its id.</summary>
        public const string StartRun =
            "INSERT INTO runs (job_id, state, stop_reason, host, pid, process_started_ms, user_name, options, started_ms, updated_ms, heartbeat_ms) " +
            "VALUES (@job, @state, 'None', @host, @pid, @pstart, @user, @options, @now, @now, @now) RETURNING id";

        /// <summary>Marks a run that is still running crashed (<c>@crashed, @reason, @now, @message, @run, @running</c>).</summary>
        public const string MarkCrashed =
            "UPDATE runs SET state = @crashed, stop_reason = @reason, ended_ms = @now, updated_ms = @now, message = @message WHERE id = @run AND state = @running";

        /// <summary>
        /// Returns a run's leased items to pending (<c>@job, @run</c>). The attempt the run counted stays counted: an
        /// item that kills every run that starts it must reach the retry limit and be failed, not loop forever.
        /// </summary>
        public static readonly string ReturnLeased =
            "UPDATE items SET status = " + ItemStatusSql.Pending + ", lease_token = NULL, lease_expires_ms = NULL WHERE job_id = @job AND status = " + ItemStatusSql.Running + " AND lease_run = @run";

        /// <summary>Items given back to the queue (<c>@n, @now, @job</c>).</summary>
        public const string JobReturned = "UPDATE jobs SET pending = pending + @n, running = running - @n, updated_ms = @now WHERE id = @job";

        /// <summary>Extends the leases the run holds (<c>@expires, @job, @run</c>).</summary>
        public static readonly string Renew =
            "UPDATE items SET lease_expires_ms = @expires WHERE job_id = @job AND status = " + ItemStatusSql.Running + " AND lease_run = @run AND lease_token IS NOT NULL";

        /// <summary>The run's heartbeat (<c>@now, @run</c>); returns whether a stop was requested.</summary>
        public const string Heartbeat = "UPDATE runs SET heartbeat_ms = @now WHERE id = @run RETURNING stop_requested";

        /// <summary>The run's own counters and, when the runner sends one, its checkpoint, in one statement.</summary>
        public const string CommitRun =
            "UPDATE runs SET succeeded = succeeded + @succeeded, failed = failed + @failed, released = released + @released, updated_ms = @now, heartbeat_ms = @now, " +
            "last_progress_ms = CASE WHEN @succeeded + @failed > 0 THEN @now ELSE last_progress_ms END, " +
            "state = COALESCE(@state, state), stop_reason = COALESCE(@reason, stop_reason), batches_started = COALESCE(@started, batches_started), " +
            "batches_completed = COALESCE(@completed, batches_completed), claimed = COALESCE(@claimed, claimed), message = COALESCE(@message, message), " +
            "ended_ms = CASE WHEN @final = 1 THEN @now ELSE ended_ms END WHERE id = @run";

        /// <summary>
        /// A run that ends holds no item: what is still leased to it goes back to the queue (<c>@job, @run</c>), its
        /// attempt counted, as for a run that crashed.
        /// </summary>
        public static readonly string ReleaseHeld =
            "UPDATE items SET status = " + ItemStatusSql.Pending + ", started_ms = NULL, lease_token = NULL, lease_expires_ms = NULL WHERE job_id = @job AND status = " + ItemStatusSql.Running + " AND lease_run = @run";

        /// <summary>Items a final checkpoint gave back for the run (<c>@n, @run</c>).</summary>
        public const string RunReleased = "UPDATE runs SET released = released + @n WHERE id = @run";

        /// <summary>A finished batch of a run.</summary>
        public const string InsertBatch =
            "INSERT INTO batches (run_id, number, items, succeeded, failed, released, started_ms, completed_ms) VALUES (@run, @number, @items, @succeeded, @failed, @released, @started, @completed)";

        /// <summary>The job's counters after a commit's outcomes.</summary>
        public const string JobOutcomes =
            "UPDATE jobs SET pending = pending + @released, running = running - @finished, succeeded = succeeded + @succeeded, failed = failed + @failed, updated_ms = @now WHERE id = @job";

        /// <summary>
        /// Fails an item a claim just took because it was started too often (<c>@error, @now, @id</c>): the claim's
        /// attempt is not counted, the lease is dropped.
        /// </summary>
        public static readonly string AbandonPoison =
            "UPDATE items SET status = " + ItemStatusSql.Failed + ", attempts = attempts - 1, last_error = @error, finished_ms = @now, lease_token = NULL, lease_expires_ms = NULL WHERE id = @id";

        /// <summary>The job's counters after a claim: taken from pending, and poison items failed.</summary>
        public const string JobClaimed =
            "UPDATE jobs SET pending = pending - @fromPending, running = running + @fromPending - @abandoned, failed = failed + @abandoned, updated_ms = @now WHERE id = @job";

        /// <summary>Failures a claim recorded for the run (<c>@n, @run</c>).</summary>
        public const string RunFailedAtClaim = "UPDATE runs SET failed = failed + @n WHERE id = @run";

        public const string RequestStop = "UPDATE runs SET stop_requested = 1 WHERE id = @run AND state = @running";

        public const string RequestSuspend = "UPDATE runs SET suspend_requested = @suspend WHERE id = @run AND state = @running";

        public const string Signals =
            "SELECT r.stop_requested, r.suspend_requested, j.pending FROM runs r JOIN jobs j ON j.id = r.job_id WHERE r.id = @run";

        public const string SetActivity =
            "UPDATE runs SET activity = @activity, activity_reason = @reason, activity_ms = @now, updated_ms = @now WHERE id = @run";

        public const string RecordBackup = "UPDATE runs SET last_backup = @name, last_backup_ms = @now, updated_ms = @now WHERE id = @run";

        public const string RunExists = "SELECT COUNT(*) FROM runs WHERE id = @run";

        /// <summary>The columns of a checkpoint, in the order the ledgers read them (after <c>FROM runs r JOIN jobs j</c> and the backup join <c>b</c>).</summary>
        public const string CheckpointColumns =
            "r.id, r.state, r.stop_reason, r.started_ms, r.updated_ms, r.ended_ms, r.batches_started, r.batches_completed, r.succeeded, r.failed, " +
            "r.host, r.pid, r.user_name, r.options, r.message, j.total, j.pending, j.running, j.succeeded, j.failed, " +
            "r.activity, r.activity_reason, r.last_progress_ms, r.suspend_requested, b.last_backup, b.last_backup_ms, r.process_started_ms, r.heartbeat_ms";

        /// <summary>
        /// The checkpoint's run (<c>@job, @running</c>): the job's newest backup, whichever run took it, and the newest
        /// run that did work (or is running), so that a resume that found nothing to do does not hide it.
        /// </summary>
        public const string Checkpoint =
            "SELECT " + CheckpointColumns + " FROM runs r JOIN jobs j ON j.id = r.job_id " +
            "LEFT JOIN (SELECT last_backup, last_backup_ms FROM runs WHERE job_id = @job AND last_backup IS NOT NULL ORDER BY last_backup_ms DESC LIMIT 1) b ON TRUE " +
            "WHERE r.job_id = @job ORDER BY (r.state = @running OR r.claimed > 0) DESC, r.id DESC LIMIT 1";
    }
}
