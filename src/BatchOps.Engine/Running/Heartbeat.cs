using System;
using System.Threading;
using System.Threading.Tasks;
using BatchOps.Engine.Storage;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Running
{
    /// <summary>
    /// Every second: has another process asked this run to stop or suspend (Stop-/Suspend-BatchRun)? Every
    /// LeaseDuration/3 (30 s at most): renew the leases of the items in flight, which also shows the run is alive, and
    /// recover runs of the job whose process died meanwhile (their leftover processes killed, their items returned).
    /// </summary>
    internal sealed class Heartbeat
    {
        private readonly RunContext _run;

        public Heartbeat(RunContext run)
        {
            _run = run;
        }

        public async Task BeatAsync(CancellationToken stop)
        {
            RunOptions options = _run.Options;
            TimeProvider time = _run.Time;
            TimeSpan renewEvery = TimeSpan.FromTicks(Math.Min(options.LeaseDuration.Ticks / 3, TimeSpan.FromSeconds(30).Ticks));
            TimeSpan tick = renewEvery < _run.WakeCheckInterval ? renewEvery : _run.WakeCheckInterval;
            long lastRenewal = time.GetTimestamp();
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await time.Delay(tick, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                try
                {
                    bool stopAsked;
                    if (time.GetElapsedTime(lastRenewal) >= renewEvery)
                    {
                        lastRenewal = time.GetTimestamp();
                        long leaseExpires = _run.Store.NowMs() + (long)options.LeaseDuration.TotalMilliseconds;
                        stopAsked = _run.Store.RenewLeases(_run.Job.Id, _run.RunId, leaseExpires);
                        _run.RecoverDeadRuns(); // a runner of this job killed meanwhile: its items need not wait out their leases
                    }
                    else
                    {
                        RunSignals signals = _run.Store.ReadSignals(_run.RunId);
                        stopAsked = signals.StopRequested;
                        if (signals.SuspendRequested && !_run.Control.SuspendRequested)
                        {
                            _run.Control.NoticeSuspend();
                            _run.ItemFinished.Release(); // a dispatcher waiting for room looks at the request now
                        }
                    }

                    if (stopAsked)
                    {
                        _run.Control.RequestStop(StopReason.StopRequested);
                    }
                }
                catch (BatchOpsException e) when (RunContext.JobRemoved(e))
                {
                    _run.Fail(e); // nothing of this run can be recorded any more: stop now, not at the next outcome
                    return;
                }
                catch (BatchOpsException e)
                {
                    _run.Publish(new RunWarningEvent { Message = "Could not renew the leases of items in flight: " + e.Message });
                }
            }
        }
    }
}
