using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace BatchOps.Engine.Platform
{
    /// <summary>
    /// Memory use on Linux: /proc/meminfo for the machine, and the memory cgroup (v2 or v1) when the process runs
    /// under a limit smaller than the machine (a container, a systemd MemoryMax=): that limit is what the OOM
    /// killer enforces, so it is the one to measure against. Parsing is separate from reading so tests feed text.
    /// </summary>
    public static class LinuxMemory
    {
        // cgroup v1 writes this (or something near it) when there is no limit.
        private const long UnlimitedV1 = long.MaxValue / 2;

        /// <summary>Reads this machine's files; null when /proc/meminfo cannot be read.</summary>
        public static MemoryReading? Read(string root = "/")
        {
            string? meminfo = TryRead(Path.Combine(root, "proc/meminfo"));
            if (meminfo == null)
            {
                return null;
            }

            CgroupMemory? cgroup = ReadCgroup(root);
            return FromText(meminfo, cgroup);
        }

        /// <summary>The reading from /proc/meminfo's text and, if any, the cgroup's figures.</summary>
        public static MemoryReading? FromText(string meminfo, CgroupMemory? cgroup)
        {
            Dictionary<string, long> fields = ParseMeminfo(meminfo);
            if (!fields.TryGetValue("MemTotal", out long total) || total <= 0)
            {
                return null;
            }

            long available = fields.TryGetValue("MemAvailable", out long a)
                ? a
                : Get(fields, "MemFree") + Get(fields, "Buffers") + Get(fields, "Cached"); // kernels before 3.14
            if (cgroup != null && cgroup.LimitBytes is long limit && limit > 0 && limit < total)
            {
                long used = Math.Max(0, cgroup.UsageBytes - cgroup.InactiveFileBytes);
                return new MemoryReading(limit, Math.Min(used, limit), cgroup.Version);
            }

            return new MemoryReading(total, Math.Max(0, total - available), "/proc/meminfo");
        }

        /// <summary>/proc/meminfo's "Name: value kB" lines, in bytes.</summary>
        public static Dictionary<string, long> ParseMeminfo(string text)
        {
            var fields = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (string line in text.Split('\n'))
            {
                int colon = line.IndexOf(':');
                if (colon <= 0)
                {
                    continue;
                }

                string[] parts = line.Substring(colon + 1).Trim().Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length == 0 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long value))
                {
                    continue;
                }

                bool kib = parts.Length > 1 && parts[1].Equals("kB", StringComparison.OrdinalIgnoreCase);
                fields[line.Substring(0, colon).Trim()] = kib ? value * 1024 : value;
            }

            return fields;
        }

        /// <summary>
        /// The process's memory cgroup, from /proc/self/cgroup: its own folder under /sys/fs/cgroup first, then the
        /// mount's root (inside a container the process sees its own cgroup as the root). Null when there is none.
        /// </summary>
        public static CgroupMemory? ReadCgroup(string root)
        {
            string? membership = TryRead(Path.Combine(root, "proc/self/cgroup"));
            if (membership == null)
            {
                return null;
            }

            foreach (string line in membership.Split('\n'))
            {
                string[] parts = line.Trim().Split(new[] { ':' }, 3);
                if (parts.Length != 3)
                {
                    continue;
                }

                string relative = parts[2].TrimStart('/');
                if (parts[0] == "0" && parts[1].Length == 0)
                {
                    foreach (string folder in Candidates(Path.Combine(root, "sys/fs/cgroup"), relative))
                    {
                        CgroupMemory? v2 = CgroupMemory.FromV2(
                            TryRead(Path.Combine(folder, "memory.max")),
                            TryRead(Path.Combine(folder, "memory.current")),
                            TryRead(Path.Combine(folder, "memory.stat")));
                        if (v2 != null)
                        {
                            return v2;
                        }
                    }
                }
                else if (Array.IndexOf(parts[1].Split(','), "memory") >= 0)
                {
                    foreach (string folder in Candidates(Path.Combine(root, "sys/fs/cgroup/memory"), relative))
                    {
                        CgroupMemory? v1 = CgroupMemory.FromV1(
                            TryRead(Path.Combine(folder, "memory.limit_in_bytes")),
                            TryRead(Path.Combine(folder, "memory.usage_in_bytes")),
                            TryRead(Path.Combine(folder, "memory.stat")));
                        if (v1 != null)
                        {
                            return v1;
                        }
                    }
                }
            }

            return null;
        }

        private static IEnumerable<string> Candidates(string mount, string relative)
        {
            if (relative.Length > 0)
            {
                yield return Path.Combine(mount, relative);
            }

            yield return mount;
        }

        private static long Get(Dictionary<string, long> fields, string name) => fields.TryGetValue(name, out long v) ? v : 0;

        private static string? TryRead(string path)
        {
            try
            {
                return File.Exists(path) ? File.ReadAllText(path) : null;
            }
            catch (IOException)
            {
                return null;
            }
            catch (UnauthorizedAccessException)
            {
                return null;
            }
        }

        /// <summary>A memory cgroup's limit (null: none), usage, and the inactive page cache that counts as free.</summary>
        public sealed class CgroupMemory
        {
            public CgroupMemory(string version, long? limitBytes, long usageBytes, long inactiveFileBytes)
            {
                Version = version;
                LimitBytes = limitBytes;
                UsageBytes = usageBytes;
                InactiveFileBytes = inactiveFileBytes;
            }

            public string Version { get; }

            public long? LimitBytes { get; }

            public long UsageBytes { get; }

            public long InactiveFileBytes { get; }

            /// <summary>From memory.max ("max" or bytes), memory.current and memory.stat's inactive_file.</summary>
            public static CgroupMemory? FromV2(string? max, string? current, string? stat)
            {
                if (max == null || current == null || !long.TryParse(current.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long usage))
                {
                    return null;
                }

                long? limit = long.TryParse(max.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long l) ? l : (long?)null;
                return new CgroupMemory("cgroup v2", limit, usage, StatField(stat, "inactive_file"));
            }

            /// <summary>From memory.limit_in_bytes, memory.usage_in_bytes and memory.stat's total_inactive_file.</summary>
            public static CgroupMemory? FromV1(string? limitText, string? usageText, string? stat)
            {
                if (limitText == null || usageText == null
                    || !long.TryParse(usageText.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long usage)
                    || !long.TryParse(limitText.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long limit))
                {
                    return null;
                }

                return new CgroupMemory("cgroup v1", limit >= UnlimitedV1 ? (long?)null : limit, usage, StatField(stat, "total_inactive_file"));
            }

            private static long StatField(string? stat, string name)
            {
                if (stat == null)
                {
                    return 0;
                }

                foreach (string line in stat.Split('\n'))
                {
                    string[] parts = line.Trim().Split(' ');
                    if (parts.Length == 2 && parts[0] == name && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long value))
                    {
                        return value;
                    }
                }

                return 0;
            }
        }
    }
}
