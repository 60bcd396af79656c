using System;
using System.Globalization;
using BatchOps.Engine.Running;
using BatchOps.Engine.Platform;

namespace BatchOps.Engine.Processing
{
    /// <summary>
    /// The mark every process started for a run carries in its environment: BATCHOPS_RUNNER=&lt;pid&gt;-&lt;start ms&gt; of the
    /// process that runs it, the same pid and start time its run records keep. Children inherit their environment, so
    /// the programs a -Command item starts, and what they start in turn, carry it too. When that process dies without
    /// ending its runs (kill -9, OOM), the next run's recovery finds what is left of them by this mark
    /// (<see cref="LeftoverProcesses"/>): a recycled pid cannot carry it, because the mark holds the start time too.
    /// </summary>
    public static class RunnerMark
    {
        /// <summary>The environment variable that holds the mark.</summary>
        public const string Variable = "BATCHOPS_RUNNER";

        private static readonly object Gate = new object();
        private static int s_runs;
        private static string? s_before;

        /// <summary>The mark of this process.</summary>
        public static string Current => For(RunHost.Current.ProcessId, RunHost.Current.ProcessStartedMs);

        /// <summary>The mark of the process with that id and start time (as a run record keeps them).</summary>
        public static string For(int processId, long processStartedMs) =>
            processId.ToString(CultureInfo.InvariantCulture) + "-" + processStartedMs.ToString(CultureInfo.InvariantCulture);

        /// <summary>
        /// Puts the mark in this process's own environment while a run is in progress, so that native programs an
        /// in-process processor starts (a -ScriptBlock item calling python3) inherit it as well; the variable's earlier
        /// value comes back when the last run of the process ends. Dispose the result when the run has ended.
        /// </summary>
        public static IDisposable EnterRun()
        {
            lock (Gate)
            {
                if (s_runs++ == 0)
                {
                    s_before = Environment.GetEnvironmentVariable(Variable);
                    Environment.SetEnvironmentVariable(Variable, Current);
                }
            }

            return new Exit();
        }

        private sealed class Exit : IDisposable
        {
            private int _done;

            public void Dispose()
            {
                if (System.Threading.Interlocked.Exchange(ref _done, 1) == 1)
                {
                    return;
                }

                lock (Gate)
                {
                    if (--s_runs == 0)
                    {
                        Environment.SetEnvironmentVariable(Variable, s_before);
                    }
                }
            }
        }
    }
}
