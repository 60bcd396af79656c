using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;

namespace BatchOps.Engine.Processing
{
    /// <summary>Kills a process and every process it started, so that a timed-out command leaves nothing running.</summary>
    internal static class ProcessTree
    {
        // Process.Kill(bool entireProcessTree) exists from .NET Core 3.0 (every PowerShell 7), not in netstandard2.0.
        private static readonly MethodInfo? KillTree = typeof(Process).GetMethod("Kill", new[] { typeof(bool) });

        public static void Kill(Process process)
        {
            try
            {
                if (process.HasExited)
                {
                    return;
                }

                if (KillTree != null)
                {
                    KillTree.Invoke(process, new object[] { true });
                    return;
                }

                if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
                {
                    using var taskkill = Process.Start(new ProcessStartInfo("taskkill", "/PID " + process.Id.ToString(CultureInfo.InvariantCulture) + " /T /F") { UseShellExecute = false, CreateNoWindow = true });
                    taskkill?.WaitForExit();
                }
                else
                {
                    foreach (int child in DescendantsOnLinux(process.Id))
                    {
                        TryKill(child);
                    }
                }

                process.Kill();
            }
            catch (Exception e) when (e is InvalidOperationException || e is TargetInvocationException || e is System.ComponentModel.Win32Exception)
            {
                // The process ended while we were killing it.
            }
        }

        private static IEnumerable<int> DescendantsOnLinux(int root)
        {
            var children = new Dictionary<int, List<int>>();
            if (!Directory.Exists("/proc"))
            {
                yield break;
            }

            foreach (string dir in Directory.GetDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
                {
                    continue;
                }

                string stat;
                try
                {
                    stat = File.ReadAllText(Path.Combine(dir, "stat"));
                }
                catch (IOException)
                {
                    continue;
                }
                catch (UnauthorizedAccessException)
                {
                    continue;
                }

                // Field 4 (ppid) comes after the command name, which is in parentheses and may hold spaces.
                string[] fields = stat.Substring(stat.LastIndexOf(')') + 2).Split(' ');
                if (fields.Length > 1 && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out int parent))
                {
                    if (!children.TryGetValue(parent, out List<int>? list))
                    {
                        children[parent] = list = new List<int>();
                    }

                    list.Add(pid);
                }
            }

            var pending = new Stack<int>();
            pending.Push(root);
            while (pending.Count > 0)
            {
                int pid = pending.Pop();
                if (children.TryGetValue(pid, out List<int>? list))
                {
                    foreach (int child in list)
                    {
                        yield return child;
                        pending.Push(child);
                    }
                }
            }
        }

        private static void TryKill(int pid)
        {
            try
            {
                using Process p = Process.GetProcessById(pid);
                p.Kill();
            }
            catch (Exception e) when (e is ArgumentException || e is InvalidOperationException || e is System.ComponentModel.Win32Exception)
            {
                // Already gone.
            }
        }
    }
}
