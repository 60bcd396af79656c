using System;
using System.Collections.Generic;

namespace BatchOps.Engine.Storage
{
    /// <summary>Which runs of a job to read, newest first.</summary>
    public sealed class RunQuery
    {
        public IReadOnlyList<long>? Ids { get; init; }

        public RunState? State { get; init; }

        /// <summary>Only runs started at or after this time.</summary>
        public DateTimeOffset? Since { get; init; }

        public int? First { get; init; }
    }
}
