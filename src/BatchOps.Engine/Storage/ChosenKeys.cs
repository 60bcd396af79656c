using System.Collections.Generic;
using System.Text.Json;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// The keys a claim is restricted to (a run of chosen items), as one JSON array parameter: SQLite's json_each
    /// reads it, so any number of keys is one statement with one parameter.
    /// </summary>
    internal sealed class ChosenKeys
    {
        public ChosenKeys(IReadOnlyCollection<string> keys)
        {
            Json = JsonSerializer.Serialize(keys);
        }

        public string Json { get; }

        /// <summary>The claim statements differ with a restriction, so they are prepared under another name.</summary>
        public static string NameSuffix(ChosenKeys? only) => only == null ? "" : ".chosen";

        public static string Filter(ChosenKeys? only) => only == null ? "" : " AND key IN (SELECT value FROM json_each(@only))";
    }
}
