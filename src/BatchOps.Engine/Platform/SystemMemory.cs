using System;
using System.Runtime.InteropServices;

namespace BatchOps.Engine.Platform
{
    /// <summary>The system memory reading for this platform: Linux (cgroup-aware), Windows, macOS (best effort).</summary>
    public static class SystemMemory
    {
        /// <summary>The reading, or null when this platform's figures cannot be read.</summary>
        public static MemoryReading? Read()
        {
            try
            {
                if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
                {
                    return LinuxMemory.Read();
                }

                if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
                {
                    return ReadWindows();
                }

                if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX))
                {
                    return ReadMac();
                }
            }
            catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException)
            {
            }

            return null;
        }

        private static MemoryReading? ReadWindows()
        {
            var status = new MemoryStatusEx { Length = (uint)Marshal.SizeOf(typeof(MemoryStatusEx)) };
            if (!GlobalMemoryStatusEx(ref status) || status.TotalPhys == 0)
            {
                return null;
            }

            long total = (long)status.TotalPhys;
            return new MemoryReading(total, total - (long)status.AvailPhys, "GlobalMemoryStatusEx");
        }

        // macOS: kern.memorystatus_level is the percentage of memory the kernel considers available (what drives its
        // memory pressure); hw.memsize is the physical memory. Best effort: not checked on a Mac here.
        private static MemoryReading? ReadMac()
        {
            long total = 0;
            IntPtr size = (IntPtr)sizeof(long);
            if (sysctlbyname("hw.memsize", ref total, ref size, IntPtr.Zero, IntPtr.Zero) != 0 || total <= 0)
            {
                return null;
            }

            int level = 0;
            IntPtr levelSize = (IntPtr)sizeof(int);
            if (sysctlbyname("kern.memorystatus_level", ref level, ref levelSize, IntPtr.Zero, IntPtr.Zero) != 0 || level <= 0 || level > 100)
            {
                return null;
            }

            return new MemoryReading(total, total * (100 - level) / 100, "kern.memorystatus_level");
        }

        [StructLayout(LayoutKind.Sequential)]
        private struct MemoryStatusEx
        {
            public uint Length;
            public uint MemoryLoad;
            public ulong TotalPhys;
            public ulong AvailPhys;
            public ulong TotalPageFile;
            public ulong AvailPageFile;
            public ulong TotalVirtual;
            public ulong AvailVirtual;
            public ulong AvailExtendedVirtual;
        }

        [DllImport("kernel32.dll", SetLastError = true)]
        [return: MarshalAs(UnmanagedType.Bool)]
        private static extern bool GlobalMemoryStatusEx(ref MemoryStatusEx buffer);

        [DllImport("libc", EntryPoint = "sysctlbyname")]
        private static extern int sysctlbyname(string name, ref long value, ref IntPtr size, IntPtr newValue, IntPtr newSize);

        [DllImport("libc", EntryPoint = "sysctlbyname")]
        private static extern int sysctlbyname(string name, ref int value, ref IntPtr size, IntPtr newValue, IntPtr newSize);
    }
}
