using System.Collections.Generic;
using System.Data.Common;
using System.Linq;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Storage
{
    /// <summary>Rows of the jobs table on either backend, and the catalog's errors about jobs and items.</summary>
    internal static class JobRows
    {
        /// <summary>The one column list of the jobs table, in the order <see cref="Read"/> reads.</summary>
        public const string Select = "SELECT id, name, created_ms, updated_ms, total, pending, running, succeeded, failed FROM jobs";

        public static BatchJob Read(DbDataReader reader, string store) => new BatchJob
        {
            Id = StoreRows.Long(reader, 0),
            Name = reader.GetString(1),
            Created = Times.Local(StoreRows.Long(reader, 2)),
            Updated = Times.Local(StoreRows.Long(reader, 3)),
            Total = StoreRows.Long(reader, 4),
            Pending = StoreRows.Long(reader, 5),
            Running = StoreRows.Long(reader, 6),
            Succeeded = StoreRows.Long(reader, 7),
            Failed = StoreRows.Long(reader, 8),
            Store = store,
        };

        /// <summary>The error for a job the store lacks: it names the jobs the store does have.</summary>
        public static BatchOpsException NotFound(string name, string store, IEnumerable<BatchJob> jobs)
        {
            string known = string.Join(", ", jobs.Select(j => "'" + j.Name + "'"));
            return new BatchOpsException(
                ErrorIds.JobNotFound,
                BatchOpsErrorCategory.ObjectNotFound,
                known.Length == 0
                    ? $"There is no job '{name}' in the store '{store}', which has no jobs yet."
                    : $"There is no job '{name}' in the store '{store}'. Its jobs are: {known}.",
                name);
        }

        /// <summary>The error for a reset of every running item: they belong to a run.</summary>
        public static BatchOpsException RunningNotReset(ItemStatus status) => new BatchOpsException(
            ErrorIds.ItemInFlight,
            BatchOpsErrorCategory.InvalidOperation,
            "Running items belong to a run that is processing them and cannot be reset. Stop the run first; a crashed run's items go back to pending by themselves when the next run starts.",
            status);
    }
}
