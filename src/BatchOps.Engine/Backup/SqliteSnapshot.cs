using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Microsoft.Data.Sqlite;

namespace BatchOps.Engine.Backup
{
    /// <summary>
    /// SQLite files inside a vector store (a Chroma folder's chroma.sqlite3, a store of one's own): copied with SQLite's
    /// online backup API, which gives a consistent snapshot while other connections write, never a raw copy of a live
    /// database; and counted, table by table.
    /// </summary>
    internal static class SqliteSnapshot
    {
        private static readonly byte[] Magic = Encoding.ASCII.GetBytes("SQLite format 3\0");

        /// <summary>True when the file starts with the SQLite header.</summary>
        public static bool IsSqliteFile(string path)
        {
            var header = new byte[Magic.Length];
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            {
                if (stream.Read(header, 0, header.Length) != header.Length)
                {
                    return false;
                }
            }

            for (int i = 0; i < Magic.Length; i++)
            {
                if (header[i] != Magic[i])
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>
        /// The companions SQLite keeps beside a database (-wal, -shm, -journal): their content is in the snapshot, so
        /// they are not copied on their own.
        /// </summary>
        public static bool IsCompanionOf(string path, Func<string, bool> isDatabase)
        {
            foreach (string suffix in new[] { "-wal", "-shm", "-journal" })
            {
                if (path.EndsWith(suffix, StringComparison.Ordinal))
                {
                    string database = path.Substring(0, path.Length - suffix.Length);
                    return File.Exists(database) && isDatabase(database);
                }
            }

            return false;
        }

        /// <summary>Copies the database at <paramref name="source"/> to a new file at <paramref name="destination"/>.</summary>
        public static void Copy(string source, string destination)
        {
            Storage.SqliteNativeLibrary.EnsureResolvable();
            using var from = new SqliteConnection(ConnectionString(source, SqliteOpenMode.ReadOnly));
            using var to = new SqliteConnection(ConnectionString(destination, SqliteOpenMode.ReadWriteCreate));
            from.Open();
            using (SqliteCommand busy = from.CreateCommand())
            {
                busy.CommandText = "PRAGMA busy_timeout = 30000";
                busy.ExecuteNonQuery();
            }

            to.Open();
            from.BackupDatabase(to);
            using (SqliteCommand journal = to.CreateCommand())
            {
                // The copy is a plain file on its own: no WAL beside it to lose.
                journal.CommandText = "PRAGMA journal_mode = DELETE";
                journal.ExecuteNonQuery();
            }
        }

        /// <summary>The row count of each table (SQLite's own tables left out).</summary>
        public static Dictionary<string, long> CountRows(string path)
        {
            Storage.SqliteNativeLibrary.EnsureResolvable();
            var counts = new Dictionary<string, long>(StringComparer.Ordinal);
            using var connection = new SqliteConnection(ConnectionString(path, SqliteOpenMode.ReadOnly));
            connection.Open();
            var tables = new List<string>();
            using (SqliteCommand list = connection.CreateCommand())
            {
                list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name";
                using SqliteDataReader reader = list.ExecuteReader();
                while (reader.Read())
                {
                    tables.Add(reader.GetString(0));
                }
            }

            foreach (string table in tables)
            {
                using SqliteCommand count = connection.CreateCommand();
                count.CommandText = "SELECT COUNT(*) FROM \"" + table.Replace("\"", "\"\"") + "\"";
                try
                {
                    counts[table] = Convert.ToInt64(count.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
                }
                catch (SqliteException)
                {
                    // A virtual table whose module this SQLite lacks (e.g. an FTS5 or vector extension): not counted.
                }
            }

            return counts;
        }

        private static string ConnectionString(string path, SqliteOpenMode mode) => new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = mode,
            Pooling = false,
        }.ToString();
    }
}
