using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using BatchOps.Engine.Storage;

namespace BatchOps.Engine.Running
{
    /// <summary>
    /// Finds runs of a job that are marked Running but whose process is gone (killed, OOM, reboot), marks them
    /// Crashed and returns their items to the queue at once, instead of waiting for their leases to expire.
    /// </summary>
    public static class RunRecovery
    {
        /// <summary>A run on another machine is taken for dead when its heartbeat is older than this.</summary>
        public static readonly TimeSpan RemoteHeartbeatTimeout = TimeSpan.FromMinutes(10);

        public static bool IsDead(RunRecord run, RunHost self, long nowMs, Func<int, long?, bool>? isProcessAlive = null)
        {
            if (string.Equals(run.Host, self.Machine, StringComparison.OrdinalIgnoreCase) && run.ProcessId is int pid)
            {
                if (pid == self.ProcessId && run.ProcessStartedMs == self.ProcessStartedMs)
                {
                    return false; // another run in this very process
                }

                return !(isProcessAlive ?? RunHost.IsProcessAlive)(pid, run.ProcessStartedMs);
            }

            return nowMs - run.HeartbeatMs > (long)RemoteHeartbeatTimeout.TotalMilliseconds;
        }

        /// <summary>Returns the live runs of the job (after recovering the dead ones).</summary>
        public static IReadOnlyList<RunRecord> LiveRuns(IJobStore store, long jobId, RunHost self) =>
            store.GetActiveRuns(jobId).Where(r => !IsDead(r, self, store.NowMs())).ToList();

        /// <summary>Marks dead runs Crashed and returns their items. Returns (runs, items) recovered.</summary>
        public static (int Runs, long Items, string Message) RecoverDeadRuns(IJobStore store, long jobId, RunHost self, Func<int, long?, bool>? isProcessAlive = null)
        {
            long now = store.NowMs();
            List<RunRecord> dead = store.GetActiveRuns(jobId).Where(r => IsDead(r, self, now, isProcessAlive)).ToList();
            if (dead.Count == 0)
            {
                return (0, 0, "");
            }

            string who = string.Join(", ", dead.Select(r => string.Format(CultureInfo.InvariantCulture, "run {0} (host {1}, process {2})", r.Id, r.Host, r.ProcessId)));
            string message = "The process of this run ended without a final checkpoint (killed, crashed or rebooted); its unfinished items were returned to the queue.";
            long items = store.AbandonRuns(jobId, dead.Select(r => r.Id).ToList(), message);
            return (dead.Count, items, string.Format(CultureInfo.InvariantCulture, "Recovered {0}: {1} unfinished item(s) returned to the queue.", who, items));
        }
    }
}
