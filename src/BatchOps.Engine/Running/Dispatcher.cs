using System;
using System.Threading;
using System.Threading.Tasks;
using BatchOps.Engine.Diagnostics;
using BatchOps.Engine.Storage;

namespace BatchOps.Engine.Running
{
    /// <summary>
    /// Claims work (one store transaction per claim) and keeps at most the prefetch window queued ahead of the
    /// workers; before each claim it honours the pauses (suspend, rate limit, memory, a backup due). It ends the run's
    /// claiming when the job is drained, the target or MaxItems is reached, or a stop is asked for.
    /// </summary>
    internal sealed class Dispatcher
    {
        private const long ExpiredCheckIntervalMs = 15_000;

        private readonly RunContext _run;
        private readonly RunControl _control;
        private readonly RunOptions _options;
        private readonly RunTally _tally;
        private readonly PrefetchPolicy _prefetch;
        private readonly MemoryPause _memory;
        private readonly RateLimitPause _rateLimit;
        private readonly BackupPause _backup;
        private readonly IdlePause _idle;
        private readonly SuspendPause _suspend;
        private readonly TargetPercent? _target;

        public Dispatcher(RunContext run, PrefetchPolicy prefetch, RateLimitPause rateLimit)
        {
            _run = run;
            _control = run.Control;
            _options = run.Options;
            _tally = run.Tally;
            _prefetch = prefetch;
            _rateLimit = rateLimit;
            _memory = new MemoryPause(run);
            _backup = new BackupPause(run);
            _idle = new IdlePause(run);
            _suspend = new SuspendPause(run, _idle);
            _target = _options.TargetPercent is double target ? TargetPercent.Create(target) : (TargetPercent?)null;
        }

        /// <summary>Claims until the run's claiming ends; records why in <see cref="RunControl"/>.</summary>
        public async Task DispatchAsync()
        {
            long claimedTotal = 0;
            int maxAttempts = _options.RetryLimit + 1;
            bool barrier = _options.BatchDelay > TimeSpan.Zero;
            bool includeExpired = true; // the first claim takes over expired leases, then every so often
            long nextExpiredCheckMs = 0;

            if (_options.BackupFirst && !await _backup.TakeAsync(BackupPoint.RunStart).ConfigureAwait(false))
            {
                _control.EndClaiming(StopReason.BackupFailed);
                return;
            }

            while (true)
            {
                if (_control.Stopping)
                {
                    _control.EndClaimingForStop();
                    return;
                }

                // Before claiming more: honour Suspend-BatchRun, a rate-limit pause, the memory guard, a backup due.
                if (_control.SuspendRequested)
                {
                    await _suspend.WaitAsync().ConfigureAwait(false);
                    continue;
                }

                if (!await _rateLimit.WaitAsync().ConfigureAwait(false) || !await _memory.GuardAsync().ConfigureAwait(false))
                {
                    continue; // a stop or a suspend: both are handled at the top of the loop
                }

                // A backup is due once the batches before it are claimed: stop claiming, let them finish, back up.
                if (_backup.Due)
                {
                    if (await _backup.AtQuietPointAsync(BackupPoint.RunInterval).ConfigureAwait(false))
                    {
                        _backup.ScheduleNext();
                    }

                    continue;
                }

                long held = Interlocked.Read(ref _tally.Held);
                ClaimPlan plan = Plan(barrier, held, claimedTotal, refreshed: false);
                if (plan.Decision == ClaimDecision.RefreshTarget)
                {
                    _run.Live.Refresh();
                    plan = Plan(barrier, held, claimedTotal, refreshed: true);
                }

                long want = plan.Count;
                switch (plan.Decision)
                {
                    case ClaimDecision.StopMaxItemsReached:
                        _control.EndClaiming(StopReason.MaxItemsReached);
                        return;
                    case ClaimDecision.StopTargetReached:
                        _control.EndClaiming(StopReason.TargetReached);
                        return;
                    case ClaimDecision.WaitForOutcome:
                        await _run.WaitForItemAsync(() => Interlocked.Read(ref _tally.Held) == held).ConfigureAwait(false);
                        continue;
                    case ClaimDecision.WaitForRoom:
                        long window = plan.Window;
                        await _run.WaitForItemAsync(() => Interlocked.Read(ref _tally.Held) + want > window).ConfigureAwait(false);
                        continue;
                }

                long now = _run.Store.NowMs();
                bool checkExpired = includeExpired || now >= nextExpiredCheckMs;
                long leaseExpires = now + (long)_options.LeaseDuration.TotalMilliseconds;
                long profiled = RunProfile.Start();
                ClaimResult claim = _run.Store.Claim(_run.Job.Id, _run.RunId, (int)Math.Min(want, int.MaxValue), leaseExpires, maxAttempts, checkExpired, _options.ItemKeys);
                RunProfile.Stop(RunProfile.Phase.Claim, profiled, claim.Items.Count);
                includeExpired = false;
                if (checkExpired)
                {
                    nextExpiredCheckMs = now + ExpiredCheckIntervalMs;
                }

                foreach (string key in claim.Abandoned)
                {
                    Interlocked.Increment(ref _tally.Failed);
                    _run.Publish(new ItemFailedEvent { Key = key, Attempts = maxAttempts, Error = Wording.AbandonedOnEveryAttempt, ErrorType = ErrorEntry.Abandoned });
                }

                if (claim.Items.Count == 0)
                {
                    if (claim.Abandoned.Count > 0)
                    {
                        continue;
                    }

                    if (!checkExpired)
                    {
                        // Before calling the job drained, look once more for leases that ran out meanwhile.
                        includeExpired = true;
                        continue;
                    }

                    if (await WaitForInFlightAsync().ConfigureAwait(false))
                    {
                        continue;
                    }

                    // The work since the last backup is saved too, once it is finished.
                    if (_backup.OwesFinal && !await _backup.AtQuietPointAsync(BackupPoint.RunEnd).ConfigureAwait(false))
                    {
                        continue;
                    }

                    // Workers may have just released items for a suspend: they are pending again, so not drained.
                    if (_control.TryEndDrained(_options.Continuous, out bool suspendPending))
                    {
                        return;
                    }

                    if (suspendPending)
                    {
                        continue;
                    }

                    await _idle.WaitAsync().ConfigureAwait(false);
                    includeExpired = true;
                    continue;
                }

                if (_idle.Idle)
                {
                    _idle.Wake(claim.Items.Count);
                }

                Queue(claim, now, ref claimedTotal);
                if (barrier)
                {
                    // Paced batches: finish the batch, write its checkpoint, pause, then take the next one.
                    try
                    {
                        await _run.BatchRecorded.WaitAsync(_control.Hard).ConfigureAwait(false);
                        await _run.Time.Delay(_options.BatchDelay, _control.DispatchStop).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        // Checked at the top of the loop.
                    }
                }
            }
        }

        private ClaimPlan Plan(bool barrier, long held, long claimedTotal, bool refreshed)
        {
            var inputs = new ClaimInputs
            {
                BatchSize = _options.BatchSize,
                ThrottleLimit = _options.ThrottleLimit,
                BatchesAhead = barrier ? 1 : _prefetch.BatchesAhead(_options.BatchSize, _options.ThrottleLimit),
                Barrier = barrier,
                Held = held,
                MaxItems = _options.MaxItems,
                ClaimedThisRun = claimedTotal,
                Target = _target,
                BatchesUntilBackup = _backup.BatchesUntilDue,
                TargetRefreshed = refreshed,
            };
            if (_target != null)
            {
                inputs.Succeeded = _run.Job.Succeeded + Interlocked.Read(ref _tally.LocalSucceeded);
                inputs.Total = _run.Live.Current.Total;
            }

            return ClaimPlanner.Plan(inputs);
        }

        /// <summary>Puts the claimed items on the workers' queue, in batches of BatchSize.</summary>
        private void Queue(ClaimResult claim, long now, ref long claimedTotal)
        {
            int count = claim.Items.Count;
            claimedTotal += count;
            Interlocked.Add(ref _tally.Claimed, count);
            Interlocked.Add(ref _tally.Held, count);
            long batch = 0;
            for (int i = 0; i < count; i++)
            {
                if (i % _options.BatchSize == 0)
                {
                    batch = _run.Tracker.Register(Math.Min(_options.BatchSize, count - i), now);
                }

                _run.Work.Writer.TryWrite(new WorkUnit(claim.Items[i], batch));
            }
        }

        /// <summary>
        /// A claim found nothing, but items are still in flight: items can be added to the job meanwhile (another
        /// process feeds it), so the job is called drained only when they are done and a claim still finds nothing.
        /// Returns true if it waited (claim again), false if nothing was in flight.
        /// </summary>
        private async Task<bool> WaitForInFlightAsync()
        {
            if (Interlocked.Read(ref _tally.Held) == 0)
            {
                return false;
            }

            while (Interlocked.Read(ref _tally.Held) > 0 && !_control.DispatchStop.IsCancellationRequested && !_control.SuspendRequested)
            {
                await _run.WaitForItemAsync(() => Interlocked.Read(ref _tally.Held) > 0).ConfigureAwait(false);
            }

            return true;
        }
    }
}
