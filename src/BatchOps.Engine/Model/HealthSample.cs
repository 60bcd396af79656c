using System;
using System.Collections.Generic;
using BatchOps.Engine.Storage;

namespace BatchOps
{
    /// <summary>
    /// One health sample (Get-BatchHealth, Watch-BatchHealth): the verdict with its reasons, and the figures it was
    /// made from. Figures that were not measured (no job, no vector store, a platform without the probe) are null.
    /// </summary>
    public sealed class HealthSample
    {
        public DateTime Time { get; init; }

        public HealthStatus Status { get; init; }

        /// <summary>Why the status is not Healthy, worst first: "memory 91% > 90% critical", "no progress for 12 min".</summary>
        public string[] Reasons { get; init; } = Array.Empty<string>();

        /// <summary>The reasons on one line, for tables and logs.</summary>
        public string Summary => string.Join("; ", Reasons);

        public string? Job { get; init; }

        public double? MemoryPercent { get; init; }

        public long? MemoryUsedMB { get; init; }

        public long? MemoryTotalMB { get; init; }

        /// <summary>Where the memory figures come from: "/proc/meminfo", "cgroup v2", "GlobalMemoryStatusEx" ...</summary>
        public string? MemorySource { get; init; }

        /// <summary>The process whose memory is shown: the job's running run when it is on this machine, else this one.</summary>
        public int ProcessId { get; init; }

        /// <summary>That process's working set.</summary>
        public long ProcessMemoryMB { get; init; }

        public long PeakProcessMemoryMB { get; init; }

        public double? DiskFreePercent { get; init; }

        public double? DiskFreeGB { get; init; }

        /// <summary>Items that failed for good among the latest finished ones, percent (null: too few to judge).</summary>
        public double? ErrorRate { get; init; }

        /// <summary>How many finished items the error rate is over.</summary>
        public long ErrorRateItems { get; init; }

        /// <summary>Error log lines within the window, by error type.</summary>
        public IReadOnlyDictionary<string, long> ErrorsByType { get; init; } = new Dictionary<string, long>();

        /// <summary>The newest error log lines.</summary>
        public IReadOnlyList<ErrorEntry> LatestErrors { get; init; } = Array.Empty<ErrorEntry>();

        public long RateLimitEvents { get; init; }

        /// <summary>Items finished per second within the window.</summary>
        public double? ItemsPerSecond { get; init; }

        public TimeSpan? Eta { get; init; }

        /// <summary>Eta in seconds: a plain number for JSON and CSV (ConvertTo-Json writes a TimeSpan as an object).</summary>
        public double? EtaSeconds => Eta is TimeSpan eta ? Math.Round(eta.TotalSeconds, 0) : (double?)null;

        /// <summary>When a run of the job last finished an item.</summary>
        public DateTime? LastProgress { get; init; }

        public long? VectorStoreItems { get; init; }

        public long? VectorStoreBytes { get; init; }

        /// <summary>Items (or, with no count, bytes) the vector store lost since the best earlier reading; 0 when none.</summary>
        public long VectorStoreLoss { get; init; }

        /// <summary>True when a watched vector store path does not exist.</summary>
        public bool VectorStoreMissing { get; init; }

        /// <summary>The vector store lost items or bytes, or a path of it is gone.</summary>
        public bool DataLoss => VectorStoreLoss > 0 || VectorStoreMissing;

        /// <summary>The job's latest checkpoint, when a job was given and has run.</summary>
        public BatchCheckpoint? Checkpoint { get; init; }

        /// <summary>What Watch-BatchHealth -AutoRestore did on this sample, if anything.</summary>
        public string? Action { get; set; }

        public string Store { get; init; } = "";
    }
}
