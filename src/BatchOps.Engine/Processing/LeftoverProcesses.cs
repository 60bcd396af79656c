using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using BatchOps.Engine.Platform;

namespace BatchOps.Engine.Processing
{
    /// <summary>
    /// Kills what a dead runner process left running: every process of this machine whose environment carries that
    /// runner's <see cref="RunnerMark"/> (its -Command children, what they started, native programs of its
    /// -ScriptBlock items), so that an item is not started again while its earlier attempt is still at work.
    /// Linux only (it reads /proc); elsewhere it finds nothing. A process is signalled through a pidfd opened before its
    /// environment is read, so a pid recycled in between is never hit; on kernels without pidfd (before 5.3) the
    /// process's start time is compared before the kill instead. Processes of other users cannot be read and are left.
    /// </summary>
    public static class LeftoverProcesses
    {
        private const int SigKill = 9;
        private const long SysPidfdSendSignal = 424; // the same number on every Linux architecture
        private const long SysPidfdOpen = 434;
        private const int Enosys = 38;

        /// <summary>How long to wait for killed processes to be gone before the items are handed out again.</summary>
        private static readonly TimeSpan GoneTimeout = TimeSpan.FromSeconds(10);

        /// <summary>Kills every process marked with <paramref name="mark"/> and waits until they are gone. Returns how many.</summary>
        public static int Kill(string mark)
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || !Directory.Exists("/proc/self"))
            {
                return 0;
            }

            byte[] wanted = Encoding.UTF8.GetBytes(RunnerMark.Variable + "=" + mark);
            var killed = new List<(int Pid, ulong Start)>();
            int self = RunHost.Current.ProcessId;

            // A leftover may fork while we look: look again until a pass finds nothing new (a few passes at most).
            for (int pass = 0; pass < 5; pass++)
            {
                int found = 0;
                try
                {
                    foreach (int pid in ProcessIds())
                    {
                        // A process killed in an earlier pass may not be torn down yet: it is not counted twice.
                        if (pid != self && !killed.Exists(k => k.Pid == pid) && TryKill(pid, wanted, out ulong start))
                        {
                            killed.Add((pid, start));
                            found++;
                        }
                    }
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is DllNotFoundException || e is EntryPointNotFoundException)
                {
                    break; // /proc or libc not as expected (a restricted container): recovery goes on without this help
                }

                if (found == 0)
                {
                    break;
                }
            }

            var deadline = Stopwatch.StartNew();
            foreach ((int pid, ulong start) in killed)
            {
                while (IsRunning(pid, start) && deadline.Elapsed < GoneTimeout)
                {
                    Thread.Sleep(10); // SIGKILL takes effect at once; this waits out the kernel's teardown
                }
            }

            return killed.Count;
        }

        /// <summary>True when the process with that id and start time exists and is not a zombie.</summary>
        internal static bool IsRunning(int pid, ulong start) =>
            ReadStat(pid, out char state, out ulong actual) && actual == start && state != 'Z' && state != 'X';

        private static IEnumerable<int> ProcessIds()
        {
            foreach (string dir in Directory.GetDirectories("/proc"))
            {
                if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
                {
                    yield return pid;
                }
            }
        }

        private static bool TryKill(int pid, byte[] wanted, out ulong start)
        {
            start = 0;
            int pidfd = (int)Syscall(SysPidfdOpen, pid, 0);
            bool hasPidfd = pidfd >= 0;
            if (!hasPidfd && Marshal.GetLastWin32Error() != Enosys)
            {
                return false; // gone already, or not ours to see
            }

            try
            {
                if (!ReadStat(pid, out char state, out start) || state == 'Z' || !Carries(pid, wanted))
                {
                    return false;
                }

                if (hasPidfd)
                {
                    return PidfdSendSignal(SysPidfdSendSignal, pidfd, SigKill, IntPtr.Zero, 0) == 0;
                }

                // No pidfd: the same start time just before the kill means the same process.
                return ReadStat(pid, out _, out ulong again) && again == start && KillProcess(pid, SigKill) == 0;
            }
            finally
            {
                if (hasPidfd)
                {
                    Close(pidfd);
                }
            }
        }

        /// <summary>Whether the environment the process started with holds the mark (NUL-separated NAME=value entries).</summary>
        private static bool Carries(int pid, byte[] wanted)
        {
            byte[] environ;
            try
            {
                environ = File.ReadAllBytes("/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/environ");
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return false;
            }

            int at = 0;
            while (at < environ.Length)
            {
                int end = Array.IndexOf(environ, (byte)0, at);
                if (end < 0)
                {
                    end = environ.Length;
                }

                if (end - at == wanted.Length && Same(environ, at, wanted))
                {
                    return true;
                }

                at = end + 1;
            }

            return false;
        }

        private static bool Same(byte[] buffer, int at, byte[] wanted)
        {
            for (int i = 0; i < wanted.Length; i++)
            {
                if (buffer[at + i] != wanted[i])
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>Reads the state (field 3) and start time in clock ticks after boot (field 22) of /proc/pid/stat.</summary>
        private static bool ReadStat(int pid, out char state, out ulong start)
        {
            state = '?';
            start = 0;
            string stat;
            try
            {
                stat = File.ReadAllText("/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/stat");
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return false;
            }

            // The command name (field 2) is in parentheses and may hold spaces and parentheses: fields follow the last ')'.
            int close = stat.LastIndexOf(')');
            if (close < 0 || close + 2 >= stat.Length)
            {
                return false;
            }

            string[] fields = stat.Substring(close + 2).Split(' ');
            if (fields.Length < 20 || fields[0].Length == 0)
            {
                return false;
            }

            state = fields[0][0];
            return ulong.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out start);
        }

        // syscall(2) is variadic and reads every argument as a long: pass longs, so no upper half is left undefined.
        [DllImport("libc", EntryPoint = "syscall", SetLastError = true)]
        private static extern long Syscall(long number, long pid, long flags);

        [DllImport("libc", EntryPoint = "syscall", SetLastError = true)]
        private static extern long PidfdSendSignal(long number, long pidfd, long signal, IntPtr info, long flags);

        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        private static extern int KillProcess(int pid, int signal);

        [DllImport("libc", EntryPoint = "close", SetLastError = true)]
        private static extern int Close(int fd);
    }
}
