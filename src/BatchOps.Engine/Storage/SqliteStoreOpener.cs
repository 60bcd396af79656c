using System;
using System.Globalization;
using System.IO;
using Microsoft.Data.Sqlite;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// Opens a SQLite store file: checks the path and the file (<see cref="StoreFile"/>), opens the one connection
    /// the store's parts share, verifies that it is a BatchOps store this version understands, and upgrades its
    /// schema (<see cref="SqliteSchema"/>) when it may write.
    /// </summary>
    internal static class SqliteStoreOpener
    {
        public static SqliteSession Open(string path, StoreAccess access, TimeProvider? time, TimeSpan? busyTimeout)
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

        /// <summary>
        /// Checks a store path without creating or opening anything: its folder exists, and the file (if any) is a
        /// SQLite database. Returns whether the file exists.
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

        private static SqliteSession OpenOnce(string path, StoreAccess access, TimeProvider? time, TimeSpan? busyTimeout)
        {
            if (string.IsNullOrWhiteSpace(path))
            {
                throw new BatchOpsException(ErrorIds.StorePathInvalid, BatchOpsErrorCategory.InvalidArgument, "The store path is empty.", path);
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
                        $"There is no BatchOps store at '{fullPath}'.",
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
            var session = new SqliteSession(fullPath, connection, time ?? TimeProvider.System, readOnly, busy);
            try
            {
                connection.Open();
                session.Execute("PRAGMA busy_timeout = " + ((long)busy.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
                VerifyAndUpgrade(session, readOnly);
                if (!readOnly)
                {
                    // WAL lets readers (Get-BatchJob in another window) work while a run writes; NORMAL sync keeps every
                    // commit safe from a process crash and costs no fsync per transaction.
                    session.Execute("PRAGMA journal_mode = WAL");
                    session.Execute("PRAGMA synchronous = NORMAL");
                }

                session.Execute("PRAGMA foreign_keys = ON");

                // Claims build small ephemeral tables; in the default temp store each is a temporary file, which made
                // a claim about ten times slower.
                session.Execute("PRAGMA temp_store = MEMORY");
                return session;
            }
            catch (SqliteException e)
            {
                session.Dispose();
                if (e.SqliteErrorCode != SqliteRoom.SqliteFull && !StoreFile.FolderTakesFiles(fullPath))
                {
                    throw StoreFile.ReadOnlyFolder(fullPath, e);
                }

                throw SqliteErrors.Translate(e, fullPath, busy);
            }
            catch
            {
                session.Dispose();
                throw;
            }
        }

        private static void VerifyAndUpgrade(SqliteSession session, bool readOnly)
        {
            string location = session.Location;
            (long applicationId, long version, long objects) = ReadIdentity(session);
            if (applicationId == 0 && version == 0 && objects == 0)
            {
                if (readOnly)
                {
                    throw new BatchOpsException(
                        ErrorIds.StoreNotFound,
                        BatchOpsErrorCategory.ObjectNotFound,
                        $"The store '{location}' is empty: nothing has been added to it yet.",
                        location);
                }
            }
            else if (applicationId != SqliteSchema.ApplicationId)
            {
                throw new BatchOpsException(
                    ErrorIds.StoreNotBatchOps,
                    BatchOpsErrorCategory.InvalidData,
                    $"'{location}' is a SQLite database, but not a BatchOps store. It was left untouched.",
                    location);
            }

            if (version > SqliteSchema.CurrentVersion)
            {
                throw new BatchOpsException(
                    ErrorIds.StoreSchemaTooNew,
                    BatchOpsErrorCategory.InvalidData,
                    $"The store '{location}' was written by a newer BatchOps (store schema {version}; this BatchOps understands up to {SqliteSchema.CurrentVersion}). It was left untouched.",
                    location);
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
                    $"The store '{location}' has schema {version} and must be upgraded to {SqliteSchema.CurrentVersion} before it can be read; a command that writes to it upgrades it.",
                    location);
            }

            session.Write(() =>
            {
                // Checked again inside the lock: another process may have created or upgraded the store meanwhile.
                (long idNow, long versionNow, long objectsNow) = ReadIdentity(session);
                if (idNow != SqliteSchema.ApplicationId && (idNow != 0 || objectsNow != 0))
                {
                    throw new BatchOpsException(ErrorIds.StoreNotBatchOps, BatchOpsErrorCategory.InvalidData, $"'{location}' is not a BatchOps store. It was left untouched.", location);
                }

                for (long v = versionNow; v < SqliteSchema.CurrentVersion; v++)
                {
                    session.Execute(SqliteSchema.Migrations[(int)v]);
                }

                session.Execute("PRAGMA application_id = " + SqliteSchema.ApplicationId.ToString(CultureInfo.InvariantCulture));
                session.Execute("PRAGMA user_version = " + SqliteSchema.CurrentVersion.ToString(CultureInfo.InvariantCulture));
                return 0;
            });
        }

        // One statement, so one snapshot: read one by one, the three could straddle another process's creation of
        // the store (application id still 0, tables already there) and a fresh store would look like a foreign one.
        private static (long ApplicationId, long Version, long Objects) ReadIdentity(SqliteSession session)
        {
            using SqliteCommand command = session.Command("SELECT (SELECT application_id FROM pragma_application_id()), (SELECT user_version FROM pragma_user_version()), (SELECT count(*) FROM sqlite_master)");
            using SqliteDataReader reader = command.ExecuteReader();
            reader.Read();
            return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
        }
    }
}
