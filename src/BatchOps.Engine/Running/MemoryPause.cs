using System;
using System.Threading.Tasks;
using BatchOps.Engine.Health;
using static BatchOps.Engine.Running.RunWording;
using BatchOps.Engine.Platform;

namespace BatchOps.Engine.Running
{
    /// <summary>
    /// The memory guard: above MaxMemoryPercent, collect and trim, wait, check again; after a few checks the run is
    /// marked paused (MemoryPaused) and says why; it resumes by itself when memory drops. Items in flight go on.
    /// </summary>
    internal sealed class MemoryPause
    {
        private readonly RunContext _run;
        private long _nextCheck;

        public MemoryPause(RunContext run)
        {
            _run = run;
        }

        /// <summary>Returns true to claim on, false when the run is stopping.</summary>
        public async Task<bool> GuardAsync()
        {
            RunOptions options = _run.Options;
            TimeProvider time = _run.Time;
            if (options.MaxMemoryPercent is not double max || max >= 100 || time.GetTimestamp() < _nextCheck)
            {
                return true;
            }

            Func<MemoryReading?> probe = _run.MemoryProbe;
            MemoryReading? reading = probe();
            _nextCheck = time.GetTimestamp() + time.TimestampFrequency / 4; // at most 4 reads a second
            if (reading == null || reading.Percent <= max)
            {
                return true;
            }

            string wait = Seconds(options.MemoryWait);
            _run.Publish(new RunNoticeEvent { Kind = RunNoticeKind.MemoryHigh, IsWarning = true, Message = $"Memory {Percent(reading.Percent)}% > {Percent(max)}% ({reading.Source}): releasing memory and waiting {wait} s before claiming more work." });
            int checks = 0;
            bool paused = false;
            while (!_run.Control.DispatchStop.IsCancellationRequested)
            {
                (long before, long after) = _run.ReleaseMemory();
                try
                {
                    await time.Delay(options.MemoryWait, _run.Control.DispatchStop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                reading = probe();
                checks++;
                if (reading == null || reading.Percent <= max)
                {
                    string now = reading == null ? "unknown" : Percent(reading.Percent) + "%";
                    _run.Publish(new RunNoticeEvent { Kind = RunNoticeKind.MemoryRecovered, IsWarning = paused, Message = $"Memory back to {now} after {checks} check(s) (this process released {Megabytes(before - after)} MB); claiming work again." });
                    if (paused)
                    {
                        _run.SetActivity(RunActivity.Processing, null);
                    }

                    return true;
                }

                if (!paused && checks >= options.MemoryChecksBeforePause)
                {
                    paused = true;
                    string reason = $"memory {Percent(reading.Percent)}% > {Percent(max)}% after {checks} checks {wait} s apart";
                    _run.SetActivity(RunActivity.MemoryPaused, reason);
                    _run.Publish(new RunNoticeEvent { Kind = RunNoticeKind.MemoryPaused, IsWarning = true, Message = $"Run paused: {reason}. Items in flight go on; it resumes when memory drops below {Percent(max)}%." });
                }
            }

            return false;
        }
    }
}
