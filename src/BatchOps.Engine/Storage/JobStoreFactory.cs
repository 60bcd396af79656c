using System;
using System.Text.RegularExpressions;
using BatchOps.Engine.Errors;
using BatchOps.Engine.Storage.Postgres;

namespace BatchOps.Engine.Storage
{
    /// <summary>The kinds of store a store string can name.</summary>
    public enum StoreKind
    {
        /// <summary>A SQLite file: the path of the file (the embedded default).</summary>
        SqliteFile,

        /// <summary>A PostgreSQL server: a postgresql:// or postgres:// URI, or a connection string with Host= (or Server=).</summary>
        PostgreSql,
    }

    /// <summary>
    /// The one place a store is chosen and opened from the store string (-Store, $env:BATCHOPS_STORE, or the default
    /// file). Commands reach stores only through this factory and <see cref="IJobStore"/>, so that another backend
    /// plugs in here without touching a command. A file path is resolved by the caller (the module resolves it with
    /// the PowerShell provider) before it comes here; a server string comes as given.
    /// </summary>
    public static class JobStoreFactory
    {
        /// <summary>The store file used when no store is named.</summary>
        public const string DefaultFileName = "batchops.db";

        // user:password@ in a URI: the password part is cut from anything shown.
        private static readonly Regex UriPassword = new Regex("^(?<head>[A-Za-z]+://[^:/@]*):[^@/]*@", RegexOptions.CultureInvariant);

        // Password=...; (or Pwd=, its value quoted or not) in a connection string: the pair is cut from anything shown.
        private static readonly Regex KeyPassword = new Regex(
            "(^|;)\\s*(password|pwd)\\s*=\\s*(\"([^\"]|\"\")*\"|'([^']|'')*'|[^;]*)",
            RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

        /// <summary>
        /// The kind of store a string names: a postgresql:// or postgres:// URI, or a connection string whose keys
        /// include Host or Server, is a PostgreSQL server; anything else is a SQLite file path.
        /// </summary>
        public static StoreKind KindOf(string store) => PostgresAddress.Names(store) ? StoreKind.PostgreSql : StoreKind.SqliteFile;

        /// <summary>
        /// Opens the store at <paramref name="location"/>: a resolved file path (SQLite), or a server string.
        /// For <see cref="StoreAccess.ReadWrite"/> a missing SQLite file is created.
        /// </summary>
        public static IJobStore Open(string location, StoreAccess access) => KindOf(location) switch
        {
            StoreKind.SqliteFile => SqliteJobStore.Open(location, access),
            _ => PostgresJobStore.Open(location, access),
        };

        /// <summary>
        /// Checks a store location without creating or opening anything, so that a command can refuse a bad store
        /// before it reads its input. Returns whether the store exists.
        /// </summary>
        public static bool CheckLocation(string location) => KindOf(location) switch
        {
            StoreKind.SqliteFile => SqliteStoreOpener.CheckLocation(location),
            _ => PostgresJobStore.CheckLocation(location),
        };

        /// <summary>The store string as it may be shown: a server string without its password.</summary>
        public static string Redact(string store)
        {
            if (KindOf(store) == StoreKind.SqliteFile)
            {
                return store;
            }

            try
            {
                return PostgresAddress.Parse(store).Display;
            }
            catch (BatchOpsException)
            {
                // not a valid address: cut the password out of the text as written
            }

            string text = store.Trim();
            if (text.IndexOf("://", StringComparison.Ordinal) > 0)
            {
                return UriPassword.Replace(text, "${head}@");
            }

            return KeyPassword.Replace(text, "").TrimStart(';');
        }
    }
}
