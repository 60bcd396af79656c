using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using BatchOps.Engine.Platform;

namespace BatchOps.Engine.Health
{
    /// <summary>Where health readings come from. Tests inject their own; <see cref="HealthProbes.System"/> reads this machine.</summary>
    public interface IHealthProbes
    {
        /// <summary>System (or container) memory; null when this platform cannot say.</summary>
        MemoryReading? ReadMemory();

        /// <summary>A process's memory: this one (null), or another on this machine; null when it is gone or unreadable.</summary>
        ProcessMemoryReading? ReadProcess(int? processId);

        /// <summary>Free space on the volume holding the path; null when it cannot be read.</summary>
        DiskReading? ReadDisk(string path);

        VectorStoreReading ReadVectorStore(IReadOnlyList<string> paths);
    }

    /// <summary>The readings of the machine the process runs on.</summary>
    public sealed class HealthProbes : IHealthProbes
    {
        public static readonly IHealthProbes System = new HealthProbes();

        private HealthProbes()
        {
        }

        public MemoryReading? ReadMemory() => SystemMemory.Read();

        public ProcessMemoryReading? ReadProcess(int? processId)
        {
            try
            {
                using Process process = processId is int id ? Process.GetProcessById(id) : Process.GetCurrentProcess();
                return new ProcessMemoryReading(process.WorkingSet64, process.PeakWorkingSet64);
            }
            catch (Exception e) when (e is ArgumentException || e is InvalidOperationException || e is System.ComponentModel.Win32Exception || e is NotSupportedException)
            {
                return null; // exited meanwhile, or not ours to read
            }
        }

        public DiskReading? ReadDisk(string path)
        {
            try
            {
                string folder = Directory.Exists(path) ? path : Path.GetDirectoryName(Path.GetFullPath(path)) ?? path;
                // On Unix DriveInfo takes any folder (statvfs of its file system); on Windows it wants the root.
                string name = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? Path.GetPathRoot(folder) ?? folder : folder;
                var drive = new DriveInfo(name);
                return new DiskReading(folder, drive.AvailableFreeSpace, drive.TotalSize);
            }
            catch (Exception e) when (e is IOException || e is ArgumentException || e is UnauthorizedAccessException)
            {
                return null;
            }
        }

        public VectorStoreReading ReadVectorStore(IReadOnlyList<string> paths) => VectorStoreMeter.Measure(paths);
    }
}
