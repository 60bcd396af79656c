using System;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// Where the SQL of the two backends differs in a word, for the store parts they share: how a job name is matched
    /// (SQLite's column ignores case; PostgreSQL has a unique index on lower(name)), how a key wildcard is matched
    /// (SQLite's GLOB; a PostgreSQL regular expression that follows it), and whether a reset locks its rows.
    /// </summary>
    internal sealed class StoreDialect
    {
        public static readonly StoreDialect Sqlite = new StoreDialect("name", "items NOT INDEXED", "GLOB", Storage.KeyPattern.ToGlob, "");

        public static readonly StoreDialect Postgres = new StoreDialect("lower(name)", "items", "~", Storage.KeyPattern.ToRegex, " FOR UPDATE");

        private StoreDialect(string jobNameKey, string itemsInIdOrder, string keyMatch, Func<string, string> keyPattern, string lockForReset)
        {
            JobNameKey = jobNameKey;
            ItemsInIdOrder = itemsInIdOrder;
            KeyMatch = keyMatch;
            KeyPattern = keyPattern;
            LockForReset = lockForReset;
        }

        /// <summary>The expression that makes job names unique (whatever their case); also their order.</summary>
        public string JobNameKey { get; }

        /// <summary>The condition that finds the job named <c>@name</c>, whatever its case.</summary>
        public string JobNameIs => JobNameKey + " = " + (JobNameKey == "name" ? "@name" : "lower(@name)");

        /// <summary>
        /// The items table for a walk of a whole job in id order: on SQLite without its indexes, which would make it
        /// sort every page (a million-item export then taking quadratic time).
        /// </summary>
        public string ItemsInIdOrder { get; }

        /// <summary>The operator that matches a key against a pattern made by <see cref="KeyPattern"/>.</summary>
        public string KeyMatch { get; }

        /// <summary>A PowerShell wildcard as the backend's pattern.</summary>
        public Func<string, string> KeyPattern { get; }

        /// <summary>Appended to the select of the items a reset takes: a server store locks them from other hosts' claims.</summary>
        public string LockForReset { get; }
    }
}
