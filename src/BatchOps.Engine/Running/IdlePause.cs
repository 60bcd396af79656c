using System;
using System.Threading;
using System.Threading.Tasks;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Storage;
using static BatchOps.Engine.Running.RunWording;

namespace BatchOps.Engine.Running
{
    /// <summary>
    /// Continuous mode, job drained: the run idles (Idle), looks for new items every WakeCheckInterval (one cheap
    /// read) and returns for a full poll (leases that ran out) at intervals growing to MaxPollInterval; after
    /// DeepSleepAfter it sleeps deeply (DeepSleep): processor caches closed, memory collected and trimmed.
    /// </summary>
    internal sealed class IdlePause
    {
        private readonly RunContext _run;
        private long? _idleSince;
        private TimeSpan _pollInterval;
        private bool _asleep;

        public IdlePause(RunContext run)
        {
            _run = run;
        }

        /// <summary>True while the run idles (from the first empty poll until it claims again).</summary>
        public bool Idle => _idleSince != null;

        /// <summary>Waits for new items, a stop, a suspend, or the next full poll.</summary>
        public async Task WaitAsync()
        {
            TimeProvider time = _run.Time;
            CancellationToken stop = _run.Control.DispatchStop;
            if (_idleSince == null)
            {
                _idleSince = time.GetTimestamp();
                _pollInterval = TimeSpan.FromSeconds(1);
                _run.SetActivity(RunActivity.Idle, "the job is drained; waiting for new items");
                _run.Publish(new RunNoticeEvent { Kind = RunNoticeKind.Idle, Message = $"Job '{_run.Job.Name}' drained; waiting for new items (continuous run)." });
            }

            long pollStart = time.GetTimestamp();
            while (!stop.IsCancellationRequested)
            {
                RunSignals signals = _run.Store.ReadSignals(_run.RunId);
                if (signals.StopRequested)
                {
                    _run.Control.RequestStop(StopReason.StopRequested);
                    return;
                }

                if (signals.SuspendRequested)
                {
                    _run.Control.NoticeSuspend();
                    return;
                }

                if (signals.Pending > 0)
                {
                    return;
                }

                if (time.GetElapsedTime(pollStart) >= _pollInterval)
                {
                    _pollInterval = TimeSpan.FromTicks(Math.Min(_pollInterval.Ticks * 2, _run.Options.MaxPollInterval.Ticks));
                    return;
                }

                // Only with nothing in flight: deep sleep closes the processor's runspaces.
                if (!_asleep && Interlocked.Read(ref _run.Tally.Held) == 0 && time.GetElapsedTime(_idleSince.Value) >= _run.Options.DeepSleepAfter)
                {
                    Sleep(RunActivity.DeepSleep, $"idle for {Seconds(_run.Options.DeepSleepAfter)} s; wakes when items are added");
                }

                try
                {
                    await _run.WaitForChangeAsync().ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }

        /// <summary>The run claimed <paramref name="items"/> new items after idling: Processing again.</summary>
        public void Wake(int items)
        {
            TimeSpan idle = _run.Time.GetElapsedTime(_idleSince!.Value);
            Reset();
            _run.SetActivity(RunActivity.Processing, null);
            _run.Publish(new RunNoticeEvent { Kind = RunNoticeKind.Woke, Message = $"Woke after {Seconds(idle)} s idle: {items} new item(s) claimed." });
        }

        /// <summary>Forgets the idling (after a suspend: the run starts afresh).</summary>
        public void Reset()
        {
            _idleSince = null;
            _asleep = false;
        }

        /// <summary>Deep sleep (or a suspend's): processor caches closed (runspaces), memory collected and trimmed.</summary>
        public void Sleep(RunActivity activity, string reason)
        {
            _asleep = true;
            (_run.Processor as IReleasableProcessor)?.ReleaseResources();
            (long before, long after) = _run.ReleaseMemory();
            _run.SetActivity(activity, reason);
            _run.Publish(new RunNoticeEvent { Kind = activity == RunActivity.Suspended ? RunNoticeKind.Suspended : RunNoticeKind.DeepSleep, Message = $"Deep sleep ({reason}): working set {Megabytes(before)} MB -> {Megabytes(after)} MB." });
        }
    }
}
