using System;
using System.Diagnostics;
using System.Runtime;
using System.Runtime.InteropServices;

namespace BatchOps.Engine.Platform
{
    /// <summary>
    /// Gives memory back: a full, compacting garbage collection (the large object heap too), then, on Linux with
    /// glibc, malloc_trim(0) so that freed native heap pages go back to the OS instead of staying in the process.
    /// </summary>
    public static class MemoryRelease
    {
        private static bool _trimUnavailable;

        /// <summary>Collects and trims; returns the working set before and after, in bytes.</summary>
        public static (long Before, long After) Release()
        {
            long before = WorkingSet();
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            Collect();
            GC.WaitForPendingFinalizers();
            Collect();
            TrimNativeHeap();
            return (before, WorkingSet());
        }

        // .NET 7+ has GCCollectionMode.Aggressive (3): it also gives the freed heap back to the OS, which Forced keeps
        // committed. The engine targets netstandard2.0, so the value is cast and an older runtime falls back to Forced.
        private const GCCollectionMode Aggressive = (GCCollectionMode)3;
        private static bool _aggressiveUnavailable;

        private static void Collect()
        {
            if (!_aggressiveUnavailable)
            {
                try
                {
                    GC.Collect(GC.MaxGeneration, Aggressive, blocking: true, compacting: true);
                    return;
                }
                catch (ArgumentOutOfRangeException)
                {
                    _aggressiveUnavailable = true;
                }
            }

            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        }

        private static void TrimNativeHeap()
        {
            if (_trimUnavailable || !RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
            {
                return;
            }

            try
            {
                malloc_trim(UIntPtr.Zero);
            }
            catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException)
            {
                _trimUnavailable = true; // musl (Alpine) has no malloc_trim
            }
        }

        private static long WorkingSet()
        {
            using Process self = Process.GetCurrentProcess();
            return self.WorkingSet64;
        }

        [DllImport("libc", EntryPoint = "malloc_trim")]
        private static extern int malloc_trim(UIntPtr pad);
    }
}
