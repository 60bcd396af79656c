using System;

namespace BatchOps
{
    /// <summary>A job: a named list of work items with its counters. Get-BatchJob writes these.</summary>
    public sealed class BatchJob
    {
        public long Id { get; init; }

        public string Name { get; init; } = "";

        /// <summary>Items in the job, whatever their status.</summary>
        public long Total { get; init; }

        public long Pending { get; init; }

        public long Running { get; init; }

        public long Succeeded { get; init; }

        public long Failed { get; init; }

        /// <summary>How many of the job's items have the given status.</summary>
        public long CountOf(ItemStatus status) => status switch
        {
            ItemStatus.Pending => Pending,
            ItemStatus.Running => Running,
            ItemStatus.Succeeded => Succeeded,
            _ => Failed,
        };

        /// <summary>Items not yet finished: pending plus running.</summary>
        public long Remaining => Pending + Running;

        /// <summary>Succeeded items as a percentage of all items (0 when the job is empty).</summary>
        public double PercentComplete => Percent.Of(Succeeded, Total);

        /// <summary>PercentComplete as a text bar, for tables: "[##...] 50.0%".</summary>
        public string Progress => Percent.Bar(PercentComplete);

        public DateTime Created { get; init; }

        public DateTime Updated { get; init; }

        /// <summary>The full path of the store the job lives in, so that piped objects find their way back.</summary>
        public string Store { get; init; } = "";

        public override string ToString() => Name;
    }
}
