namespace BatchOps.Engine.Platform
{
    /// <summary>One reading of the memory the process may use: the machine's, or its container's when that is smaller.</summary>
    public sealed class MemoryReading
    {
        public MemoryReading(long totalBytes, long usedBytes, string source)
        {
            TotalBytes = totalBytes;
            UsedBytes = usedBytes;
            Source = source;
        }

        /// <summary>The memory available in all: physical memory, or the cgroup's limit.</summary>
        public long TotalBytes { get; }

        /// <summary>The memory in use, page cache that can be dropped excluded.</summary>
        public long UsedBytes { get; }

        /// <summary>Where the figures come from ("cgroup v2", "/proc/meminfo", "GlobalMemoryStatusEx" ...).</summary>
        public string Source { get; }

        public double Percent => TotalBytes <= 0 ? 0 : 100.0 * UsedBytes / TotalBytes;
    }

    /// <summary>The process's own memory: its working set now and at its peak.</summary>
    public sealed class ProcessMemoryReading
    {
        public ProcessMemoryReading(long workingSetBytes, long peakWorkingSetBytes)
        {
            WorkingSetBytes = workingSetBytes;
            PeakWorkingSetBytes = peakWorkingSetBytes;
        }

        public long WorkingSetBytes { get; }

        public long PeakWorkingSetBytes { get; }
    }

    /// <summary>Free space on the volume that holds a path.</summary>
    public sealed class DiskReading
    {
        public DiskReading(string path, long freeBytes, long totalBytes)
        {
            Path = path;
            FreeBytes = freeBytes;
            TotalBytes = totalBytes;
        }

        public string Path { get; }

        public long FreeBytes { get; }

        public long TotalBytes { get; }

        public double FreePercent => TotalBytes <= 0 ? 100 : 100.0 * FreeBytes / TotalBytes;
    }
}
