using System;
using System.Diagnostics;

namespace BatchOps.Engine.Platform
{
    /// <summary>Who runs a run (machine, process, user), and whether a run's process is still alive.</summary>
    public sealed class RunHost
    {
        private static readonly Lazy<RunHost> CurrentHost = new Lazy<RunHost>(() =>
        {
            using Process self = Process.GetCurrentProcess();
            return new RunHost(MachineName(), self.Id, StartedMs(self), Environment.UserName);
        });

        /// <summary>
        /// The environment variable that names this machine in the runs it records, instead of its host name: for
        /// containers that share one host name while they share a server store, and for tests that act as several hosts.
        /// </summary>
        public const string MachineVariable = "BATCHOPS_HOST_NAME";

        public RunHost(string machine, int processId, long processStartedMs, string user)
        {
            Machine = machine;
            ProcessId = processId;
            ProcessStartedMs = processStartedMs;
            User = user;
        }

        public static RunHost Current => CurrentHost.Value;

        /// <summary>This machine's name in the runs it records: <see cref="MachineVariable"/> when set, else the host name.</summary>
        public static string MachineName() =>
            Environment.GetEnvironmentVariable(MachineVariable) is { Length: > 0 } name ? name.Trim() : Environment.MachineName;

        /// <summary>
        /// A run on another machine is taken for dead when its heartbeat is older than this: a live run beats at least
        /// every 30 seconds (a third of its lease, at most 30 s), so this is four beats missed, and as long as the
        /// default lease (2 minutes) its items are held by.
        /// </summary>
        public static readonly TimeSpan RemoteHeartbeatTimeout = TimeSpan.FromMinutes(2);

        /// <summary>
        /// Whether the process of a run recorded as running is gone, seen from this host: on this machine, by its
        /// process id and start time; on another, by the age of its heartbeat.
        /// </summary>
        public bool IsGone(string? host, int? processId, long? processStartedMs, long heartbeatMs, long nowMs, Func<int, long?, bool>? isProcessAlive = null)
        {
            if (string.Equals(host, Machine, StringComparison.OrdinalIgnoreCase) && processId is int pid)
            {
                if (pid == ProcessId && processStartedMs == ProcessStartedMs)
                {
                    return false; // another run in this very process
                }

                return !(isProcessAlive ?? IsProcessAlive)(pid, processStartedMs);
            }

            return nowMs - heartbeatMs > (long)RemoteHeartbeatTimeout.TotalMilliseconds;
        }

        public string Machine { get; }

        public int ProcessId { get; }

        public long ProcessStartedMs { get; }

        public string User { get; }

        /// <summary>
        /// True when a process on this machine with that id and start time is running. A different start time means
        /// the id was reused by another process, so the run's process is gone.
        /// </summary>
        public static bool IsProcessAlive(int processId, long? startedMs)
        {
            try
            {
                using Process process = Process.GetProcessById(processId);
                if (process.HasExited)
                {
                    return false;
                }

                if (startedMs is long expected)
                {
                    long actual = StartedMs(process);
                    return actual == 0 || Math.Abs(actual - expected) < 2_000;
                }

                return true;
            }
            catch (ArgumentException)
            {
                return false; // no such process
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        }

        private static long StartedMs(Process process)
        {
            try
            {
                return new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds();
            }
            catch (Exception e) when (e is InvalidOperationException || e is System.ComponentModel.Win32Exception || e is NotSupportedException)
            {
                return 0; // unknown: treated as alive, which is the safe side
            }
        }
    }
}
