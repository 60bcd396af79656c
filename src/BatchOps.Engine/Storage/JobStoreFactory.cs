using System;
using System.Data.Common;
using System.Text.RegularExpressions;
using BatchOps.Engine.Errors;

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
        public static StoreKind KindOf(string store)
        {
            string text = store.Trim();
            if (text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase))
            {
                return StoreKind.PostgreSql;
            }

            return ConnectionString(text) is DbConnectionStringBuilder keys && (keys.ContainsKey("Host") || keys.ContainsKey("Server"))
                ? StoreKind.PostgreSql
                : StoreKind.SqliteFile;
        }

        /// <summary>
        /// Opens the store at <paramref name="location"/>: a resolved file path (SQLite), or a server string.
        /// For <see cref="StoreAccess.ReadWrite"/> a missing SQLite file is created.
        /// </summary>
        public static IJobStore Open(string location, StoreAccess access) => KindOf(location) switch
        {
            StoreKind.SqliteFile => SqliteJobStore.Open(location, access),
            _ => throw NotSupported(location),
        };

        /// <summary>
        /// Checks a store location without creating or opening anything, so that a command can refuse a bad store
        /// before it reads its input. Returns whether the store exists.
        /// </summary>
        public static bool CheckLocation(string location) => KindOf(location) switch
        {
            StoreKind.SqliteFile => SqliteStoreOpener.CheckLocation(location),
            _ => throw NotSupported(location),
        };

        /// <summary>The store string as it may be shown: a server string without its password.</summary>
        public static string Redact(string store)
        {
            if (KindOf(store) == StoreKind.SqliteFile)
            {
                return store;
            }

            string text = store.Trim();
            if (text.IndexOf("://", StringComparison.Ordinal) > 0)
            {
                return UriPassword.Replace(text, "${head}@");
            }

            return KeyPassword.Replace(text, "").TrimStart(';');
        }

        private static BatchOpsException NotSupported(string location) => new BatchOpsException(
            ErrorIds.StoreBackendNotSupported,
            BatchOpsErrorCategory.InvalidArgument,
            $"The store '{Redact(location)}' names a PostgreSQL server; this version of BatchOps keeps its stores only in SQLite files, so nothing was opened or written.",
            Redact(location));

        /// <summary>The key=value pairs of a connection string, or null when the text is not one (a file path).</summary>
        private static DbConnectionStringBuilder? ConnectionString(string text)
        {
            if (text.IndexOf('=') <= 0)
            {
                return null;
            }

            try
            {
                return new DbConnectionStringBuilder { ConnectionString = text };
            }
            catch (ArgumentException)
            {
                return null;
            }
        }
    }
}
