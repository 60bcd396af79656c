using System;
using Npgsql;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Storage.Postgres
{
    /// <summary>
    /// Opens a PostgreSQL store: connects, checks the schema version and, when allowed, creates or upgrades the
    /// tables under an advisory lock so that two hosts starting at once never run a migration twice. A store that is
    /// unreachable, refuses the login, lacks the rights to create its schema or was written by a newer BatchOps is
    /// refused with its own ErrorId, and nothing is written.
    /// </summary>
    internal static class PostgresStoreFile
    {
        /// <summary>An open connection to a store at the current schema version.</summary>
        public static NpgsqlConnection Open(PostgresAddress address, StoreAccess access)
        {
            NpgsqlConnection connection = Connect(address);
            try
            {
                int version = ReadVersion(connection);
                if (version != PostgresSchema.CurrentVersion)
                {
                    Upgrade(connection, address, version, access);
                }

                return connection;
            }
            catch (Exception e) when (!(e is BatchOpsException))
            {
                connection.Dispose();
                throw PostgresErrors.Translate(e, address);
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }

        /// <summary>Whether the database holds a BatchOps store; connects and reads, never writes.</summary>
        public static bool Exists(PostgresAddress address)
        {
            using NpgsqlConnection connection = Connect(address);
            try
            {
                int version = ReadVersion(connection);
                RefuseNewer(address, version);
                return version > 0;
            }
            catch (Exception e) when (!(e is BatchOpsException))
            {
                throw PostgresErrors.Translate(e, address);
            }
        }

        public static NpgsqlConnection Connect(PostgresAddress address)
        {
            var connection = new NpgsqlConnection(address.Settings.ConnectionString);
            try
            {
                connection.Open();
                return connection;
            }
            catch (Exception e) when (e is ArgumentException || e is FormatException)
            {
                // a setting Npgsql refuses only when it connects (its message names the setting, never a password)
                connection.Dispose();
                throw new BatchOpsException(ErrorIds.StoreAddressInvalid, BatchOpsErrorCategory.InvalidArgument, $"The PostgreSQL store '{address.Display}' has a setting the client refuses: {e.Message}", address.Display, e);
            }
            catch (Exception e)
            {
                connection.Dispose();
                throw PostgresErrors.Translate(e, address);
            }
        }

        /// <summary>The store's schema version; 0 when the database holds no BatchOps store yet.</summary>
        private static int ReadVersion(NpgsqlConnection connection)
        {
            using var exists = new NpgsqlCommand("SELECT to_regclass('batchops.schema_version') IS NOT NULL", connection);
            if (!(bool)exists.ExecuteScalar()!)
            {
                return 0;
            }

            using var read = new NpgsqlCommand("SELECT version FROM batchops.schema_version", connection);
            return Convert.ToInt32(read.ExecuteScalar() ?? 0);
        }

        private static void Upgrade(NpgsqlConnection connection, PostgresAddress address, int version, StoreAccess access)
        {
            RefuseNewer(address, version);
            // Only a command that may create a store creates the schema; one that changes an existing store may upgrade it.
            bool mayWrite = version == 0 ? access == StoreAccess.ReadWrite : access != StoreAccess.ReadOnly;
            if (!mayWrite)
            {
                throw version == 0
                    ? new BatchOpsException(ErrorIds.StoreNotFound, BatchOpsErrorCategory.ObjectNotFound, $"The database of '{address.Display}' holds no BatchOps store yet (no schema '{PostgresSchema.Name}'). Nothing was written.", address.Display)
                    : new BatchOpsException(ErrorIds.StoreUpgradeNeeded, BatchOpsErrorCategory.InvalidOperation, $"The store '{address.Display}' has schema {version} and must be upgraded to {PostgresSchema.CurrentVersion} before it can be read.", address.Display);
            }

            // The lock is taken before the transaction begins: a transaction's start is where the server refreshes
            // its catalog cache, so the version is then read as the host that held the lock left it.
            Execute(connection, $"SELECT pg_advisory_lock({PostgresSchema.UpgradeLockKey})");
            try
            {
                using NpgsqlTransaction transaction = connection.BeginTransaction();
                int now = ReadVersion(connection); // another host may have upgraded it while this one waited
                RefuseNewer(address, now);
                if (now == PostgresSchema.CurrentVersion)
                {
                    return;
                }

                if (now == 0)
                {
                    Execute(connection, $"CREATE SCHEMA IF NOT EXISTS {PostgresSchema.Name}");
                }

                for (int next = now; next < PostgresSchema.CurrentVersion; next++)
                {
                    Execute(connection, PostgresSchema.Migrations[next]);
                }

                Execute(connection, $"UPDATE {PostgresSchema.Name}.schema_version SET version = {PostgresSchema.CurrentVersion}, upgraded_at = now()");
                transaction.Commit();
            }
            finally
            {
                if (connection.State == System.Data.ConnectionState.Open)
                {
                    Execute(connection, $"SELECT pg_advisory_unlock({PostgresSchema.UpgradeLockKey})");
                }
            }
        }

        private static void RefuseNewer(PostgresAddress address, int version)
        {
            if (version > PostgresSchema.CurrentVersion)
            {
                throw new BatchOpsException(
                    ErrorIds.StoreSchemaTooNew,
                    BatchOpsErrorCategory.InvalidData,
                    $"The store '{address.Display}' was written by a newer BatchOps (store schema {version}; this BatchOps understands up to {PostgresSchema.CurrentVersion}). It was left untouched.",
                    address.Display);
            }
        }

        private static void Execute(NpgsqlConnection connection, string sql)
        {
            using var command = new NpgsqlCommand(sql, connection);
            command.ExecuteNonQuery();
        }
    }
}
