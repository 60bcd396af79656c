using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Storage;
using BatchOps.Engine.Platform;

namespace BatchOps.Engine.Running
{
    /// <summary>
    /// Finds runs of a job that are marked Running but whose process is gone (killed, OOM, reboot), marks them
    /// Crashed and returns their items to the queue at once, instead of waiting for their leases to expire.
    /// </summary>
    public static class RunRecovery
    {
        public static bool IsDead(RunRecord run, RunHost self, long nowMs, Func<int, long?, bool>? isProcessAlive = null) =>
            self.IsGone(run.Host, run.ProcessId, run.ProcessStartedMs, run.HeartbeatMs, nowMs, isProcessAlive);

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

            // What the dead process started may still be at work on its items: it goes before they are handed out again.
            int leftovers = KillLeftovers(dead, self);
            string message = "The process of this run ended without a final checkpoint (killed, crashed or rebooted); its unfinished items were returned to the queue.";
            long items = store.AbandonRuns(jobId, dead.Select(r => r.Id).ToList(), message);
            string killed = leftovers == 0 ? "" : string.Format(CultureInfo.InvariantCulture, " {0} process(es) it had started and left running were killed.", leftovers);
            return (dead.Count, items, string.Format(CultureInfo.InvariantCulture, "Recovered {0}: {1} unfinished item(s) returned to the queue.{2}", who, items, killed));
        }

        /// <summary>
        /// Kills the processes that dead runs of this machine left running (found by their <see cref="RunnerMark"/>).
        /// A run of another machine cannot be reached from here: its leftovers die with that machine's next run there.
        /// </summary>
        private static int KillLeftovers(IEnumerable<RunRecord> dead, RunHost self)
        {
            int killed = 0;
            foreach ((int pid, long started) in dead
                         .Where(r => string.Equals(r.Host, self.Machine, StringComparison.OrdinalIgnoreCase) && r.ProcessId.HasValue && r.ProcessStartedMs.HasValue)
                         .Select(r => (r.ProcessId!.Value, r.ProcessStartedMs!.Value))
                         .Distinct())
            {
                killed += LeftoverProcesses.Kill(RunnerMark.For(pid, started));
            }

            return killed;
        }
    }
}
