using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using BatchOps.Engine.Health;
using Microsoft.Data.Sqlite;

namespace BatchOps.Engine.Storage
{
    /// <summary>How a command means to use a store.</summary>
    public enum StoreAccess
    {
        /// <summary>Read and write; create the store if it does not exist (Start-BatchRun, Add-BatchItem).</summary>
        ReadWrite,

        /// <summary>Read and write an existing store; a missing one is an error (Reset-, Clear-, Remove-).</summary>
        ReadWriteExisting,

        /// <summary>Only read an existing store (Get- commands).</summary>
        ReadOnly,
    }

    /// <summary>
    /// The embedded job store: one SQLite file in WAL mode. Every write is one BEGIN IMMEDIATE transaction, so writers
    /// from several processes queue on the busy timeout instead of failing with "database is locked"; readers never
    /// wait. Counters on the job row are kept in the same transactions as the item changes, so that status queries
    /// never scan items. One instance holds one connection and serialises its own callers.
    /// </summary>
    public sealed partial class SqliteJobStore : IJobStore
    {
        /// <summary>The store file used when neither -Store nor $env:BATCHOPS_STORE names one.</summary>
        public const string DefaultFileName = "batchops.db";

        private const int EnqueueChunk = 5_000;

        private readonly SqliteConnection _db;
        private readonly object _gate = new object();
        private readonly TimeProvider _time;
        private readonly Dictionary<string, SqliteCommand> _prepared = new Dictionary<string, SqliteCommand>(StringComparer.Ordinal);
        private bool _disposed;
        private TimeSpan _busyTimeout;

        private SqliteJobStore(string path, SqliteConnection connection, TimeProvider time, bool readOnly)
        {
            Location = path;
            _db = connection;
            _time = time;
            IsReadOnly = readOnly;
        }

        public string Location { get; }

        public bool IsReadOnly { get; }

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
        public static SqliteJobStore Open(string path, StoreAccess access, TimeProvider? time, TimeSpan? busyTimeout = null)
        {
            try
            {
                return OpenOnce(path, access, time, busyTimeout);
            }
            catch (BatchOpsException needsUpgrade) when (needsUpgrade.ErrorId == ErrorIds.StoreUpgradeNeeded)
            {
                // A store from an earlier BatchOps, opened to be read (Get-BatchJob right after updating the module):
                // upgrade it once, when the file can be written, and read it then. Otherwise say what to do.
                try
                {
                    OpenOnce(path, StoreAccess.ReadWriteExisting, time, busyTimeout).Dispose();
                }
                catch (BatchOpsException)
                {
                    throw needsUpgrade;
                }

                return OpenOnce(path, access, time, busyTimeout);
            }
        }

        private static SqliteJobStore OpenOnce(string path, StoreAccess access, TimeProvider? time, TimeSpan? busyTimeout)
        {
            if (string.IsNullOrWhiteSpace(path))
            {
                throw new BatchOpsException(ErrorIds.StorePathInvalid, BatchOpsErrorCategory.InvalidArgument, "The store path is empty. Pass -Store with a file path such as ./batchops.db.", path);
            }

            string fullPath;
            try
            {
                fullPath = Path.GetFullPath(path);
            }
            catch (Exception e) when (e is ArgumentException || e is NotSupportedException || e is PathTooLongException)
            {
                throw new BatchOpsException(ErrorIds.StorePathInvalid, BatchOpsErrorCategory.InvalidArgument, $"The store path '{path}' is not a valid file path: {e.Message}", path, e);
            }

            StoreFile.RequireFolder(fullPath);
            fullPath = StoreLink.Resolve(fullPath);
            StoreFileKind kind = StoreFile.Inspect(fullPath);
            if (kind == StoreFileKind.NotSqlite)
            {
                throw StoreFile.NotSqlite(fullPath);
            }

            if (kind == StoreFileKind.Sqlite)
            {
                StoreFile.RequireWhole(fullPath);
            }

            if (kind == StoreFileKind.Missing)
            {
                if (access != StoreAccess.ReadWrite)
                {
                    throw new BatchOpsException(
                        ErrorIds.StoreNotFound,
                        BatchOpsErrorCategory.ObjectNotFound,
                        $"There is no BatchOps store at '{fullPath}'. Pass -Store with the path of your store, set $env:BATCHOPS_STORE, or run the command in the folder that holds '{DefaultFileName}'. Start-BatchRun and Add-BatchItem create a store.",
                        fullPath);
                }

                StoreFile.CreateEmpty(fullPath);
            }

            bool readOnly = access == StoreAccess.ReadOnly;
            if (!readOnly)
            {
                StoreFile.RequireWritable(fullPath);
            }

            SqliteNativeLibrary.EnsureResolvable();
            TimeSpan busy = busyTimeout ?? TimeSpan.FromSeconds(60);
            var builder = new SqliteConnectionStringBuilder
            {
                DataSource = fullPath,
                Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWrite,
                Cache = SqliteCacheMode.Private,
                Pooling = false,
                DefaultTimeout = Math.Max(1, (int)Math.Ceiling(busy.TotalSeconds)),
            };

            var connection = new SqliteConnection(builder.ToString());
            var store = new SqliteJobStore(fullPath, connection, time ?? TimeProvider.System, readOnly) { _busyTimeout = busy };
            try
            {
                connection.Open();
                store.Execute("PRAGMA busy_timeout = " + ((long)busy.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
                store.VerifyAndUpgrade(readOnly);
                if (!readOnly)
                {
                    // WAL lets readers (Get-BatchJob in another window) work while a run writes; NORMAL sync keeps every
                    // commit safe from a process crash and costs no fsync per transaction.
                    store.Execute("PRAGMA journal_mode = WAL");
                    store.Execute("PRAGMA synchronous = NORMAL");
                }

                store.Execute("PRAGMA foreign_keys = ON");

                // Claims build small ephemeral tables; in the default temp store each is a temporary file, which made
                // a claim about ten times slower.
                store.Execute("PRAGMA temp_store = MEMORY");
                return store;
            }
            catch (SqliteException e)
            {
                store.Dispose();
                if (e.SqliteErrorCode != 13 && !StoreFile.FolderTakesFiles(fullPath))
                {
                    throw StoreFile.ReadOnlyFolder(fullPath, e);
                }

                throw SqliteErrors.Translate(e, fullPath, busy);
            }
            catch
            {
                store.Dispose();
                throw;
            }
        }

        /// <summary>
        /// Checks a store path without creating or opening anything: its folder exists, and the file (if any) is a
        /// SQLite database. Lets a command refuse a bad -Store before reading its input, and create the store only
        /// when the first valid item arrives.
        /// </summary>
        public static bool CheckLocation(string fullPath)
        {
            StoreFile.RequireFolder(fullPath);
            StoreFileKind kind = StoreFile.Inspect(StoreLink.Resolve(fullPath));
            if (kind == StoreFileKind.NotSqlite)
            {
                throw StoreFile.NotSqlite(fullPath);
            }

            return kind != StoreFileKind.Missing;
        }

        private void VerifyAndUpgrade(bool readOnly)
        {
            (long applicationId, long version, long objects) = ReadIdentity();
            if (applicationId == 0 && version == 0 && objects == 0)
            {
                if (readOnly)
                {
                    throw new BatchOpsException(
                        ErrorIds.StoreNotFound,
                        BatchOpsErrorCategory.ObjectNotFound,
                        $"The store '{Location}' is empty: nothing has been added to it yet. Add items with Add-BatchItem or Start-BatchRun.",
                        Location);
                }
            }
            else if (applicationId != SqliteSchema.ApplicationId)
            {
                throw new BatchOpsException(
                    ErrorIds.StoreNotBatchOps,
                    BatchOpsErrorCategory.InvalidData,
                    $"'{Location}' is a SQLite database, but not a BatchOps store. It was left untouched. Pass -Store with a new file name, or with an existing BatchOps store.",
                    Location);
            }

            if (version > SqliteSchema.CurrentVersion)
            {
                throw new BatchOpsException(
                    ErrorIds.StoreSchemaTooNew,
                    BatchOpsErrorCategory.InvalidData,
                    $"The store '{Location}' was written by a newer BatchOps (store schema {version}; this BatchOps understands up to {SqliteSchema.CurrentVersion}). It was left untouched. Update the BatchOps module (Update-Module BatchOps) to use it.",
                    Location);
            }

            if (version == SqliteSchema.CurrentVersion)
            {
                return;
            }

            if (readOnly)
            {
                throw new BatchOpsException(
                    ErrorIds.StoreUpgradeNeeded,
                    BatchOpsErrorCategory.InvalidOperation,
                    $"The store '{Location}' has schema {version} and must be upgraded to {SqliteSchema.CurrentVersion} before it can be read. Run any command that writes to it (Add-BatchItem, Start-BatchRun) once.",
                    Location);
            }

            WriteTransaction(() =>
            {
                // Checked again inside the lock: another process may have created or upgraded the store meanwhile.
                (long idNow, long versionNow, long objectsNow) = ReadIdentity();
                if (idNow != SqliteSchema.ApplicationId && (idNow != 0 || objectsNow != 0))
                {
                    throw new BatchOpsException(ErrorIds.StoreNotBatchOps, BatchOpsErrorCategory.InvalidData, $"'{Location}' is not a BatchOps store. It was left untouched.", Location);
                }

                for (long v = versionNow; v < SqliteSchema.CurrentVersion; v++)
                {
                    Execute(SqliteSchema.Migrations[(int)v]);
                }

                Execute("PRAGMA application_id = " + SqliteSchema.ApplicationId.ToString(CultureInfo.InvariantCulture));
                Execute("PRAGMA user_version = " + SqliteSchema.CurrentVersion.ToString(CultureInfo.InvariantCulture));
                return 0;
            });
        }

        // One statement, so one snapshot: read one by one, the three could straddle another process's creation of
        // the store (application id still 0, tables already there) and a fresh store would look like a foreign one.
        private (long ApplicationId, long Version, long Objects) ReadIdentity()
        {
            using SqliteCommand command = Command("SELECT (SELECT application_id FROM pragma_application_id()), (SELECT user_version FROM pragma_user_version()), (SELECT count(*) FROM sqlite_master)");
            using SqliteDataReader reader = command.ExecuteReader();
            reader.Read();
            return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
        }

        public long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

        // ---- jobs ------------------------------------------------------------------------------------------------

        public BatchJob? FindJob(string name)
        {
            JobNames.Validate(name);
            return Guarded(() =>
            {
                using var cmd = Command("SELECT id, name, created_ms, updated_ms, total, pending, running, succeeded, failed FROM jobs WHERE name = @name", ("@name", name));
                using var reader = cmd.ExecuteReader();
                return reader.Read() ? ReadJob(reader) : null;
            });
        }

        public BatchJob GetJob(string name)
        {
            BatchJob? job = FindJob(name);
            if (job != null)
            {
                return job;
            }

            string known = string.Join(", ", GetJobs().Select(j => "'" + j.Name + "'"));
            throw new BatchOpsException(
                ErrorIds.JobNotFound,
                BatchOpsErrorCategory.ObjectNotFound,
                known.Length == 0
                    ? $"There is no job '{name}' in the store '{Location}', which has no jobs yet. Feed it items (Add-BatchItem, or pipe them to Start-BatchRun) to create the job."
                    : $"There is no job '{name}' in the store '{Location}'. Its jobs are: {known}. Check the name, or pass -Store with the store that holds the job.",
                name);
        }

        public BatchJob GetOrCreateJob(string name)
        {
            JobNames.Validate(name);
            RequireWritable();
            return Guarded(() => WriteTransaction(() =>
            {
                long now = NowMs();
                Execute("INSERT INTO jobs (name, created_ms, updated_ms) VALUES (@name, @now, @now) ON CONFLICT(name) DO NOTHING", ("@name", name), ("@now", now));
                using var cmd = Command("SELECT id, name, created_ms, updated_ms, total, pending, running, succeeded, failed FROM jobs WHERE name = @name", ("@name", name));
                using var reader = cmd.ExecuteReader();
                reader.Read();
                return ReadJob(reader);
            }));
        }

        public IReadOnlyList<BatchJob> GetJobs() => Guarded(() =>
        {
            var jobs = new List<BatchJob>();
            using var cmd = Command("SELECT id, name, created_ms, updated_ms, total, pending, running, succeeded, failed FROM jobs ORDER BY name");
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                jobs.Add(ReadJob(reader));
            }

            return (IReadOnlyList<BatchJob>)jobs;
        });

        public bool RemoveJob(BatchJob job)
        {
            RequireWritable();
            return Guarded(() => WriteTransaction(() => Execute("DELETE FROM jobs WHERE id = @id", ("@id", job.Id)) > 0));
        }

        public long ClearJob(BatchJob job)
        {
            RequireWritable();
            return Guarded(() => WriteTransaction(() =>
            {
                long now = NowMs();
                Execute("DELETE FROM runs WHERE job_id = @job", ("@job", job.Id));
                Execute("DELETE FROM errors WHERE job_id = @job", ("@job", job.Id));
                Execute("DELETE FROM vector_baselines WHERE job_id = @job", ("@job", job.Id));
                long reset = Execute(
                    "UPDATE items SET status = 0, attempts = 0, last_error = NULL, result = NULL, started_ms = NULL, finished_ms = NULL, duration_ms = NULL, lease_run = NULL, lease_token = NULL, lease_expires_ms = NULL WHERE job_id = @job",
                    ("@job", job.Id));
                Execute("UPDATE jobs SET pending = total, running = 0, succeeded = 0, failed = 0, updated_ms = @now WHERE id = @job", ("@job", job.Id), ("@now", now));
                return reset;
            }));
        }

        // ---- items -----------------------------------------------------------------------------------------------

        public EnqueueResult Enqueue(BatchJob job, IReadOnlyList<NewItem> items)
        {
            RequireWritable();
            long added = 0, queued = 0, done = 0;
            for (int start = 0; start < items.Count; start += EnqueueChunk)
            {
                int end = Math.Min(items.Count, start + EnqueueChunk);
                (long a, long q, long d) = Guarded(() => WriteTransaction(() => EnqueueChunkOf(job.Id, items, start, end)));
                added += a;
                queued += q;
                done += d;
            }

            BatchJob after = Guarded(() => ReadJobById(job.Id)) ?? job;
            return new EnqueueResult { Job = job.Name, Added = added, AlreadyQueued = queued, AlreadyDone = done, Total = after.Total, Store = Location };
        }

        private (long Added, long Queued, long Done) EnqueueChunkOf(long jobId, IReadOnlyList<NewItem> items, int start, int end)
        {
            long now = NowMs();
            SqliteCommand insert = Prepared(
                "enqueue.insert",
                "INSERT INTO items (job_id, key, payload, status, attempts, created_ms) VALUES (@job, @key, @payload, 0, 0, @now) ON CONFLICT(job_id, key) DO NOTHING",
                "@job", "@key", "@payload", "@now");
            SqliteCommand existing = Prepared("enqueue.existing", "SELECT status FROM items WHERE job_id = @job AND key = @key", "@job", "@key");
            long added = 0, queued = 0, done = 0;
            for (int i = start; i < end; i++)
            {
                NewItem item = items[i];
                Set(insert, "@job", jobId);
                Set(insert, "@key", item.Key);
                Set(insert, "@payload", item.Payload);
                Set(insert, "@now", now);
                if (insert.ExecuteNonQuery() == 1)
                {
                    added++;
                    continue;
                }

                Set(existing, "@job", jobId);
                Set(existing, "@key", item.Key);
                long status = Convert.ToInt64(existing.ExecuteScalar(), CultureInfo.InvariantCulture);
                if (status == (long)ItemStatus.Succeeded || status == (long)ItemStatus.Failed)
                {
                    done++;
                }
                else
                {
                    queued++;
                }
            }

            if (added > 0)
            {
                Execute("UPDATE jobs SET total = total + @n, pending = pending + @n, updated_ms = @now WHERE id = @job", ("@n", added), ("@now", now), ("@job", jobId));
            }

            return (added, queued, done);
        }

        public ResetResult ResetItems(BatchJob job, IReadOnlyList<string> keys)
        {
            RequireWritable();
            return Guarded(() => WriteTransaction(() =>
            {
                var result = new ResetResult();
                long fromSucceeded = 0, fromFailed = 0;
                foreach (string key in keys)
                {
                    object? status;
                    using (var cmd = Command("SELECT status FROM items WHERE job_id = @job AND key = @key", ("@job", job.Id), ("@key", key)))
                    {
                        status = cmd.ExecuteScalar();
                    }

                    if (status == null)
                    {
                        result.NotFound.Add(key);
                        continue;
                    }

                    var current = (ItemStatus)Convert.ToInt32(status, CultureInfo.InvariantCulture);
                    if (current == ItemStatus.Running)
                    {
                        result.InFlight.Add(key);
                        continue;
                    }

                    Execute(ResetItemSql + " WHERE job_id = @job AND key = @key", ("@job", job.Id), ("@key", key));
                    fromSucceeded += current == ItemStatus.Succeeded ? 1 : 0;
                    fromFailed += current == ItemStatus.Failed ? 1 : 0;
                    result.Reset.Add(key);
                }

                AdjustCountersAfterReset(job.Id, fromSucceeded, fromFailed);
                return result;
            }));
        }

        public long ResetItems(BatchJob job, ItemStatus status)
        {
            RequireWritable();
            if (status == ItemStatus.Running)
            {
                throw new BatchOpsException(
                    ErrorIds.ItemInFlight,
                    BatchOpsErrorCategory.InvalidOperation,
                    "Running items belong to a run that is processing them and cannot be reset. Stop the run first; a crashed run's items go back to pending by themselves when the next run starts.",
                    status);
            }

            return Guarded(() => WriteTransaction(() =>
            {
                long n = Execute(ResetItemSql + " WHERE job_id = @job AND status = " + ((int)status).ToString(CultureInfo.InvariantCulture), ("@job", job.Id));
                AdjustCountersAfterReset(job.Id, status == ItemStatus.Succeeded ? n : 0, status == ItemStatus.Failed ? n : 0);
                return n;
            }));
        }

        private const string ResetItemSql =
            "UPDATE items SET status = 0, attempts = 0, last_error = NULL, result = NULL, started_ms = NULL, finished_ms = NULL, duration_ms = NULL, lease_token = NULL, lease_expires_ms = NULL";

        private void AdjustCountersAfterReset(long jobId, long fromSucceeded, long fromFailed)
        {
            if (fromSucceeded + fromFailed == 0)
            {
                return;
            }

            Execute(
                "UPDATE jobs SET pending = pending + @n, succeeded = succeeded - @s, failed = failed - @f, updated_ms = @now WHERE id = @job",
                ("@n", fromSucceeded + fromFailed),
                ("@s", fromSucceeded),
                ("@f", fromFailed),
                ("@now", NowMs()),
                ("@job", jobId));
        }

        public IReadOnlyList<BatchItem> GetItems(BatchJob job, ItemQuery query) => Guarded(() =>
        {
            // Paging a whole job (or its successes) walks the table in id order: through an index on (job_id, key)
            // SQLite would sort every page, a million-item export then taking quadratic time. Pending, running and
            // failed items, keys and batches have indexes of their own.
            bool walk = (query.KeyPatterns == null || query.KeyPatterns.Count == 0) && query.Batch == null && (query.Status == null || query.Status == ItemStatus.Succeeded);
            var sql = new System.Text.StringBuilder(
                "SELECT id, key, status, attempts, last_error, result, " + (query.IncludePayload ? "payload" : "NULL") +
                ", created_ms, started_ms, finished_ms, duration_ms, lease_run, finished_batch FROM items" + (walk ? " NOT INDEXED" : "") + " WHERE job_id = @job AND id > @after");
            var args = new List<(string, object?)> { ("@job", job.Id), ("@after", query.AfterId) };
            if (query.Status is ItemStatus status)
            {
                // A literal, not a parameter: only then can SQLite use the partial index for that status.
                sql.Append(" AND status = ").Append(((int)status).ToString(CultureInfo.InvariantCulture));
            }

            if (query.RunId is long run)
            {
                sql.Append(" AND lease_run = @run");
                args.Add(("@run", run));
            }

            if (query.Batch is long batch)
            {
                sql.Append(" AND finished_batch = @batch AND status IN (").Append((int)ItemStatus.Succeeded).Append(", ").Append((int)ItemStatus.Failed).Append(')');
                args.Add(("@batch", batch));
            }

            if (query.KeyPatterns != null && query.KeyPatterns.Count > 0)
            {
                var terms = new List<string>();
                for (int i = 0; i < query.KeyPatterns.Count; i++)
                {
                    string pattern = query.KeyPatterns[i];
                    string name = "@k" + i.ToString(CultureInfo.InvariantCulture);
                    if (KeyPattern.HasWildcards(pattern))
                    {
                        terms.Add("key GLOB " + name);
                        args.Add((name, KeyPattern.ToGlob(pattern)));
                    }
                    else
                    {
                        terms.Add("key = " + name);
                        args.Add((name, KeyPattern.Unescape(pattern)));
                    }
                }

                sql.Append(" AND (").Append(string.Join(" OR ", terms)).Append(')');
            }

            sql.Append(" ORDER BY id");
            if (query.First is int first)
            {
                sql.Append(" LIMIT @first");
                args.Add(("@first", first));
            }

            var items = new List<BatchItem>();
            using var cmd = Command(sql.ToString(), args.ToArray());
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                items.Add(new BatchItem
                {
                    Id = reader.GetInt64(0),
                    Job = job.Name,
                    Key = reader.GetString(1),
                    Status = (ItemStatus)reader.GetInt32(2),
                    Attempts = reader.GetInt32(3),
                    LastError = NullableString(reader, 4),
                    Result = NullableString(reader, 5),
                    Payload = NullableString(reader, 6),
                    Created = Times.Local(reader.GetInt64(7)),
                    Started = Times.Local(NullableLong(reader, 8)),
                    Finished = Times.Local(NullableLong(reader, 9)),
                    Duration = NullableLong(reader, 10) is long ms ? TimeSpan.FromMilliseconds(ms) : (TimeSpan?)null,
                    RunId = NullableLong(reader, 11),
                    // The batch that finished it, for a finished item only (a reset item keeps its old number).
                    Batch = (ItemStatus)reader.GetInt32(2) is ItemStatus.Succeeded or ItemStatus.Failed ? NullableLong(reader, 12) : null,
                    Store = Location,
                });
            }

            return (IReadOnlyList<BatchItem>)items;
        });

        public IReadOnlyList<ErrorEntry> GetErrors(BatchJob job, int last) => Guarded(() =>
        {
            var errors = new List<ErrorEntry>();
            using var cmd = Command(
                "SELECT run_id, item_key, attempt, time_ms, error_type, message, detail FROM errors WHERE job_id = @job ORDER BY id DESC LIMIT @n",
                ("@job", job.Id),
                ("@n", last));
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                errors.Add(new ErrorEntry
                {
                    RunId = NullableLong(reader, 0) ?? 0,
                    Key = NullableString(reader, 1) ?? "",
                    Attempt = (int)(NullableLong(reader, 2) ?? 0),
                    Time = Times.Local(reader.GetInt64(3)),
                    ErrorType = NullableString(reader, 4),
                    Message = NullableString(reader, 5),
                    Detail = NullableString(reader, 6),
                });
            }

            return (IReadOnlyList<ErrorEntry>)errors;
        });

        public JobActivity GetRecentActivity(BatchJob job, long sinceMs, int minItems) => Guarded(() =>
        {
            // Finished batches, newest first, until the window holds minItems items or reaches back to sinceMs.
            long items = 0, failed = 0, itemsSince = 0;
            using (var cmd = Command(
                "SELECT b.items - b.released, b.failed, b.completed_ms FROM batches b WHERE b.run_id IN (SELECT id FROM runs WHERE job_id = @job ORDER BY id DESC LIMIT 50) ORDER BY b.id DESC LIMIT 1000",
                ("@job", job.Id)))
            using (var reader = cmd.ExecuteReader())
            {
                while (reader.Read())
                {
                    long n = reader.GetInt64(0);
                    long completed = reader.GetInt64(2);
                    if (completed >= sinceMs)
                    {
                        itemsSince += n;
                    }
                    else if (items >= minItems)
                    {
                        break;
                    }

                    items += n;
                    failed += reader.GetInt64(1);
                }
            }

            long? lastProgress;
            int active;
            using (var cmd = Command(
                "SELECT MAX(last_progress_ms), SUM(state = @running) FROM runs WHERE job_id = @job",
                ("@job", job.Id),
                ("@running", RunState.Running.ToString())))
            using (var reader = cmd.ExecuteReader())
            {
                reader.Read();
                lastProgress = NullableLong(reader, 0);
                active = (int)(NullableLong(reader, 1) ?? 0);
            }

            var byType = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
            long rateLimits = 0;
            using (var cmd = Command(
                "SELECT error_type, COUNT(*) FROM errors WHERE job_id = @job AND id >= COALESCE((SELECT MIN(id) FROM errors WHERE job_id = @job AND time_ms >= @since), 9223372036854775807) GROUP BY error_type",
                ("@job", job.Id),
                ("@since", sinceMs)))
            using (var reader = cmd.ExecuteReader())
            {
                while (reader.Read())
                {
                    string type = NullableString(reader, 0) ?? "(none)";
                    long count = reader.GetInt64(1);
                    byType[type] = count;
                    if (string.Equals(type, Processing.RateLimitSignal.ErrorType, StringComparison.OrdinalIgnoreCase))
                    {
                        rateLimits += count;
                    }
                }
            }

            // The rate is over the time runs were working within the window, not over the whole window.
            long nowMs = NowMs();
            var intervals = new List<(long, long)>();
            using (var cmd = Command(
                "SELECT started_ms, CASE WHEN state = @running THEN @now ELSE COALESCE(ended_ms, heartbeat_ms) END FROM runs " +
                "WHERE job_id = @job AND started_ms <= @now AND COALESCE(ended_ms, @now) >= @since",
                ("@job", job.Id),
                ("@running", RunState.Running.ToString()),
                ("@now", nowMs),
                ("@since", sinceMs)))
            using (var reader = cmd.ExecuteReader())
            {
                while (reader.Read())
                {
                    intervals.Add((reader.GetInt64(0), reader.GetInt64(1)));
                }
            }

            double seconds = Math.Max(0.001, Health.ActiveTime.Milliseconds(intervals, sinceMs, nowMs) / 1000.0);
            return new JobActivity
            {
                WindowItems = items,
                WindowFailed = failed,
                ItemsPerSecond = itemsSince / seconds,
                LastProgressMs = lastProgress,
                ActiveRuns = active,
                ErrorsByType = byType,
                RateLimitEvents = rateLimits,
                LatestErrors = GetErrors(job, 5),
            };
        });

        // ---- plumbing --------------------------------------------------------------------------------------------

        private BatchJob ReadJob(SqliteDataReader reader) => new BatchJob
        {
            Id = reader.GetInt64(0),
            Name = reader.GetString(1),
            Created = Times.Local(reader.GetInt64(2)),
            Updated = Times.Local(reader.GetInt64(3)),
            Total = reader.GetInt64(4),
            Pending = reader.GetInt64(5),
            Running = reader.GetInt64(6),
            Succeeded = reader.GetInt64(7),
            Failed = reader.GetInt64(8),
            Store = Location,
        };

        private BatchJob? ReadJobById(long id)
        {
            using var cmd = Command("SELECT id, name, created_ms, updated_ms, total, pending, running, succeeded, failed FROM jobs WHERE id = @id", ("@id", id));
            using var reader = cmd.ExecuteReader();
            return reader.Read() ? ReadJob(reader) : null;
        }

        private void RequireWritable()
        {
            if (IsReadOnly)
            {
                throw new InvalidOperationException("The store was opened read-only; open it with StoreAccess.ReadWrite to change it.");
            }
        }

        /// <summary>Runs one store operation under the connection's lock, turning SQLite errors into BatchOps errors.</summary>
        private T Guarded<T>(Func<T> operation)
        {
            lock (_gate)
            {
                if (_disposed)
                {
                    throw new ObjectDisposedException(nameof(SqliteJobStore), $"The store '{Location}' has been closed.");
                }

                try
                {
                    return operation();
                }
                catch (SqliteException e)
                {
                    throw SqliteErrors.Translate(e, Location, _busyTimeout);
                }
            }
        }

        /// <summary>
        /// One write transaction (see <see cref="WriteMakingRoom"/> for a full disk). BEGIN IMMEDIATE takes the write
        /// lock up front, so the transaction never fails halfway on a lock.
        /// </summary>
        private T WriteTransaction<T>(Func<T> body) => WriteMakingRoom(false, body);

        private T WriteOnce<T>(Func<T> body)
        {
            Prepared("tx.begin", "BEGIN IMMEDIATE").ExecuteNonQuery();
            try
            {
                T result = body();
                Prepared("tx.commit", "COMMIT").ExecuteNonQuery();
                return result;
            }
            catch
            {
                try
                {
                    Prepared("tx.rollback", "ROLLBACK").ExecuteNonQuery();
                }
                catch (SqliteException)
                {
                    // SQLite rolls back by itself after some errors; the original error is the one to report.
                }

                throw;
            }
        }

        private SqliteCommand Command(string sql, params (string Name, object? Value)[] args)
        {
            SqliteCommand cmd = _db.CreateCommand();
            cmd.CommandText = sql;
            foreach ((string name, object? value) in args)
            {
                cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
            }

            return cmd;
        }

        private int Execute(string sql, params (string Name, object? Value)[] args)
        {
            using SqliteCommand cmd = Command(sql, args);
            return cmd.ExecuteNonQuery();
        }

        private long ScalarLong(string sql, params (string Name, object? Value)[] args)
        {
            using SqliteCommand cmd = Command(sql, args);
            return Convert.ToInt64(cmd.ExecuteScalar() ?? 0L, CultureInfo.InvariantCulture);
        }

        /// <summary>A command kept prepared for the life of the store: the hot paths reuse it with new values.</summary>
        private SqliteCommand Prepared(string name, string sql, params string[] parameters)
        {
            if (!_prepared.TryGetValue(name, out SqliteCommand? cmd))
            {
                cmd = _db.CreateCommand();
                cmd.CommandText = sql;
                foreach (string parameter in parameters)
                {
                    cmd.Parameters.Add(new SqliteParameter(parameter, DBNull.Value));
                }

                _prepared[name] = cmd;
            }

            return cmd;
        }

        /// <summary>A kept-prepared command (see <see cref="Prepared"/>) with these parameter values bound.</summary>
        private SqliteCommand Bound(string name, string sql, params (string Name, object? Value)[] args)
        {
            if (!_prepared.TryGetValue(name, out SqliteCommand? cmd))
            {
                cmd = _db.CreateCommand();
                cmd.CommandText = sql;
                foreach ((string parameter, _) in args)
                {
                    cmd.Parameters.Add(new SqliteParameter(parameter, DBNull.Value));
                }

                _prepared[name] = cmd;
            }

            foreach ((string parameter, object? value) in args)
            {
                cmd.Parameters[parameter].Value = value ?? DBNull.Value;
            }

            return cmd;
        }

        private static void Set(SqliteCommand cmd, string name, object? value) => cmd.Parameters[name].Value = value ?? DBNull.Value;

        private static string? NullableString(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

        private static long? NullableLong(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? (long?)null : reader.GetInt64(ordinal);

        public void Dispose()
        {
            lock (_gate)
            {
                if (_disposed)
                {
                    return;
                }

                _disposed = true;
                foreach (SqliteCommand cmd in _prepared.Values)
                {
                    cmd.Dispose();
                }

                _prepared.Clear();
                DisposeOutcomeStatements();
                _db.Dispose();
            }
        }
    }
}
