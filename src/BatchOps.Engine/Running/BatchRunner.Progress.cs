using System;
using System.Threading;
using System.Threading.Tasks;

namespace BatchOps.Engine.Running
{
    public sealed partial class BatchRunner
    {
        private sealed partial class ActiveRun
        {
            /// <summary>
            /// A claim found nothing, but items are still in flight: items can be added to the job meanwhile (another
            /// process feeds it), so the job is called drained only when they are done and a claim still finds nothing.
            /// Returns true if it waited (claim again), false if nothing was in flight.
            /// </summary>
            private async Task<bool> WaitForInFlightAsync()
            {
                if (Interlocked.Read(ref _held) == 0)
                {
                    return false;
                }

                while (Interlocked.Read(ref _held) > 0 && !_dispatchStop.IsCancellationRequested && !_runner._suspendRequested)
                {
                    await WaitForItemAsync(() => Interlocked.Read(ref _held) > 0).ConfigureAwait(false);
                }

                return true;
            }

            private ProgressSnapshot Snapshot()
            {
                long now = _store.NowMs();
                BatchJob job = _live.Current;
                long processed = Interlocked.Read(ref _succeeded) + Interlocked.Read(ref _failed);
                double rate = _progress.Rate(now, processed);
                return new ProgressSnapshot
                {
                    Job = _job.Name,
                    RunId = _runId,
                    Total = job.Total,
                    Succeeded = job.Succeeded,
                    Failed = job.Failed,
                    Remaining = job.Remaining,
                    RunProcessed = processed,
                    BatchesCompleted = _tracker.Completed,
                    ItemsPerSecond = rate,
                    Eta = ProgressCalculator.Eta(rate, job.Remaining),
                    Elapsed = _clock.Elapsed,
                };
            }
        }
    }
}
