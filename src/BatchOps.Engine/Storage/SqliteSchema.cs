using System.Collections.Generic;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// The store's schema and its forward migrations. A store records its version in PRAGMA user_version and marks
    /// itself as a BatchOps store with PRAGMA application_id, so that a foreign database is recognised and refused.
    /// To change the schema, add a migration to <see cref="Migrations"/>; never edit one that has shipped.
    /// </summary>
    internal static class SqliteSchema
    {
        /// <summary>'BtOp' in ASCII: the application_id of every BatchOps store.</summary>
        public const int ApplicationId = 0x4274_4F70;

        /// <summary>Migration N (index N-1) takes a store from version N-1 to version N.</summary>
        public static readonly IReadOnlyList<string> Migrations = new[]
        {
            // Version 1: jobs with counters, items with leases, runs (the checkpoints), batch records and the error log.
            @"
CREATE TABLE jobs (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL COLLATE NOCASE UNIQUE,
    created_ms  INTEGER NOT NULL,
    updated_ms  INTEGER NOT NULL,
    total       INTEGER NOT NULL DEFAULT 0,
    pending     INTEGER NOT NULL DEFAULT 0,
    running     INTEGER NOT NULL DEFAULT 0,
    succeeded   INTEGER NOT NULL DEFAULT 0,
    failed      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE items (
    id                INTEGER PRIMARY KEY,
    job_id            INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    key               TEXT NOT NULL,
    payload           TEXT,
    status            INTEGER NOT NULL DEFAULT 0,
    attempts          INTEGER NOT NULL DEFAULT 0,
    lease_run         INTEGER,
    lease_token       INTEGER,
    lease_expires_ms  INTEGER,
    last_error        TEXT,
    result            TEXT,
    created_ms        INTEGER NOT NULL,
    started_ms        INTEGER,
    finished_ms       INTEGER,
    duration_ms       INTEGER,
    UNIQUE (job_id, key)
);
-- Partial indexes: an item enters the pending index when added and leaves it when claimed, and is in the running
-- index only while leased, so finishing an item moves no index entry. Failed items are indexed for Reset-BatchItem.
CREATE INDEX ix_items_pending ON items (job_id, id) WHERE status = 0;
CREATE INDEX ix_items_running ON items (job_id, id) WHERE status = 1;
CREATE INDEX ix_items_failed ON items (job_id, id) WHERE status = 3;

CREATE TABLE runs (
    id                  INTEGER PRIMARY KEY,
    job_id              INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    state               TEXT NOT NULL,
    stop_reason         TEXT NOT NULL DEFAULT 'None',
    host                TEXT,
    pid                 INTEGER,
    process_started_ms  INTEGER,
    user_name           TEXT,
    options             TEXT,
    started_ms          INTEGER NOT NULL,
    updated_ms          INTEGER NOT NULL,
    heartbeat_ms        INTEGER NOT NULL,
    ended_ms            INTEGER,
    batches_started     INTEGER NOT NULL DEFAULT 0,
    batches_completed   INTEGER NOT NULL DEFAULT 0,
    claimed             INTEGER NOT NULL DEFAULT 0,
    succeeded           INTEGER NOT NULL DEFAULT 0,
    failed              INTEGER NOT NULL DEFAULT 0,
    released            INTEGER NOT NULL DEFAULT 0,
    stop_requested      INTEGER NOT NULL DEFAULT 0,
    message             TEXT
);
CREATE INDEX ix_runs_job ON runs (job_id, id);

CREATE TABLE batches (
    id            INTEGER PRIMARY KEY,
    run_id        INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    number        INTEGER NOT NULL,
    items         INTEGER NOT NULL,
    succeeded     INTEGER NOT NULL,
    failed        INTEGER NOT NULL,
    released      INTEGER NOT NULL,
    started_ms    INTEGER NOT NULL,
    completed_ms  INTEGER NOT NULL
);
CREATE INDEX ix_batches_run ON batches (run_id, number);

CREATE TABLE errors (
    id          INTEGER PRIMARY KEY,
    job_id      INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    run_id      INTEGER,
    item_key    TEXT,
    attempt     INTEGER,
    time_ms     INTEGER NOT NULL,
    error_type  TEXT,
    message     TEXT
);
CREATE INDEX ix_errors_job ON errors (job_id, id);
",

            // Version 2: what a run is doing besides processing (paused for memory or a rate limit, idle, deep sleep,
            // suspended, backing up) and why; Suspend-BatchRun's request; when it last finished an item (stall
            // detection); the last backup it took (Start-BatchRun -BackupEvery).
            @"
ALTER TABLE runs ADD COLUMN activity TEXT NOT NULL DEFAULT 'Processing';
ALTER TABLE runs ADD COLUMN activity_reason TEXT;
ALTER TABLE runs ADD COLUMN activity_ms INTEGER;
ALTER TABLE runs ADD COLUMN suspend_requested INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN last_progress_ms INTEGER;
ALTER TABLE runs ADD COLUMN last_backup TEXT;
ALTER TABLE runs ADD COLUMN last_backup_ms INTEGER;
",

            // Version 3: where an error happened, beside what it said (a script's position and stack), for the error log.
            @"
ALTER TABLE errors ADD COLUMN detail TEXT;
",

            // Version 4: the batch (of the run in lease_run) that finished an item, for per-batch results.
            @"
ALTER TABLE items ADD COLUMN finished_batch INTEGER;
",

            // Version 5: finding the items of one batch of one run (per-batch result files) without a scan of the job.
            @"
CREATE INDEX ix_items_finished_batch ON items (job_id, lease_run, finished_batch, id) WHERE finished_batch IS NOT NULL;
",

            // Version 6: the most a job's watched vector store held (Get-/Watch-BatchHealth -Job -VectorStorePath), so
            // that a later check, a cron'd one or a watcher started after a loss, still sees the loss.
            @"
CREATE TABLE vector_baselines (
    job_id   INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    paths    TEXT NOT NULL,
    bytes    INTEGER NOT NULL,
    files    INTEGER NOT NULL,
    items    INTEGER,
    seen_ms  INTEGER NOT NULL,
    PRIMARY KEY (job_id, paths)
);
",
        };

        public static int CurrentVersion => Migrations.Count;
    }
}
