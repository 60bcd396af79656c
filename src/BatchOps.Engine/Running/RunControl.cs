using System;
using System.Threading;

namespace BatchOps.Engine.Running
{
    /// <summary>Where a run stands, as <see cref="RunControl"/> moves it.</summary>
    internal enum RunPhase
    {
        /// <summary>Claiming and processing.</summary>
        Running,

        /// <summary>A suspend was asked for: items not started go back; at a quiet point the run sleeps until resumed.</summary>
        Suspended,

        /// <summary>The dispatcher has ended the run's claiming (drained, target, MaxItems): what was claimed is finished.</summary>
        Draining,

        /// <summary>A stop was asked for (Stop-BatchRun, -MaxDuration, the circuit breaker, cancellation): nothing more is claimed, items not started go back.</summary>
        Stopping,

        /// <summary>An error ended the run.</summary>
        Failed,
    }

    /// <summary>
    /// The stop, suspend and release state of one run, and the only place that changes it. Every change is a
    /// transition recorded when it happens, so the run's end (state, stop reason) is read, not inferred afterwards:
    /// <list type="bullet">
    /// <item>Running -> Suspended (<see cref="NoticeSuspend"/>) -> Running (<see cref="Resumed"/>);</item>
    /// <item>Running or Suspended -> Draining (<see cref="EndClaiming"/>, <see cref="TryEndDrained"/>): a suspend asked for
    /// afterwards releases nothing, what was claimed is finished;</item>
    /// <item>any -> Stopping (<see cref="RequestStop"/>, the caller's cancellation): the first reason is kept, a
    /// cancellation outranks it; the stop decides the run's end once it took effect (the dispatcher saw it, or a
    /// worker let an item go for it: <see cref="StopTookEffect"/>);</item>
    /// <item>any -> Failed (<see cref="Fail"/>, <see cref="Abort"/>): the first error is kept.</item>
    /// </list>
    /// Safe from any thread. Created with the runner, so a stop asked for before the run starts is kept.
    /// </summary>
    internal sealed class RunControl
    {
        private readonly CancellationTokenSource _graceful = new CancellationTokenSource();
        private readonly object _gate = new object();
        private CancellationTokenSource _hard = new CancellationTokenSource();
        private CancellationTokenSource? _dispatchStop;
        private CancellationTokenSource? _releaseWaiting;
        private int _requestedStop = (int)StopReason.None;
        private int _effectiveStop = (int)StopReason.None;
        private StopReason _claimingEnded = StopReason.None;
        private volatile bool _suspendRequested;
        private bool _draining;
        private volatile bool _stopTookEffect;
        private Exception? _fatal;
        private Exception? _abortedFor;
        private string? _stopMessage;

        /// <summary>Called after a failure, so that a dispatcher waiting for an item looks at once.</summary>
        public Action? Woken { get; set; }

        /// <summary>Cancelled by a hard stop: the caller's cancellation or a failure. Items in flight are cancelled.</summary>
        public CancellationToken Hard => _hard.Token;

        /// <summary>Cancelled by either stop: the dispatcher's waits end, and it claims nothing more.</summary>
        public CancellationToken DispatchStop => (_dispatchStop ?? _hard).Token;

        /// <summary>
        /// Cancelled by a graceful stop and by a suspend request: items waiting out a rate-limit pause go back unstarted
        /// instead of holding the stop or the suspend for the rest of the pause. Renewed after a resume.
        /// </summary>
        public CancellationToken ReleaseWaiting => (Volatile.Read(ref _releaseWaiting) ?? _graceful).Token;

        public bool StopRequested => _graceful.IsCancellationRequested;

        /// <summary>True once either stop was asked for: a worker lets unstarted items go.</summary>
        public bool Stopping => _hard.IsCancellationRequested || _graceful.IsCancellationRequested;

        /// <summary>True once a suspend was asked for and until the run resumes.</summary>
        public bool SuspendRequested => _suspendRequested;

        /// <summary>The stop asked for so far: Cancelled once cancelled, else the first graceful reason, else None.</summary>
        public StopReason RequestedStop => _hard.IsCancellationRequested ? StopReason.Cancelled : (StopReason)Volatile.Read(ref _requestedStop);

        /// <summary>The error that ends the run, if any (a failure in the run, or an abort from outside).</summary>
        public Exception? Fatal => Volatile.Read(ref _fatal) ?? Volatile.Read(ref _abortedFor);

        public RunPhase Phase
        {
            get
            {
                if (Fatal != null)
                {
                    return RunPhase.Failed;
                }

                if (Stopping)
                {
                    return RunPhase.Stopping;
                }

                lock (_gate)
                {
                    return _draining ? RunPhase.Draining : _suspendRequested ? RunPhase.Suspended : RunPhase.Running;
                }
            }
        }

        /// <summary>Links the run to its caller's cancellation. Called once, as the run starts.</summary>
        public void Begin(CancellationToken cancellationToken)
        {
            _hard = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _dispatchStop = CancellationTokenSource.CreateLinkedTokenSource(_hard.Token, _graceful.Token);
            _releaseWaiting = CancellationTokenSource.CreateLinkedTokenSource(_graceful.Token);
        }

        /// <summary>Why the run stopped, in words, when the stop came with them (the circuit breaker's).</summary>
        public string? StopMessage => Volatile.Read(ref _stopMessage);

        /// <summary>-> Stopping. The first reason (and its <paramref name="message"/>) is kept. Safe before, during and after the run.</summary>
        public void RequestStop(StopReason reason, string? message = null)
        {
            if (message != null)
            {
                Interlocked.CompareExchange(ref _stopMessage, message, null);
            }

            Interlocked.CompareExchange(ref _requestedStop, (int)reason, (int)StopReason.None);
            CancelQuietly(_graceful);
        }

        /// <summary>-> Failed, for a reason outside the engine (a log that cannot be written); stops as RequestStop does.</summary>
        public void Abort(Exception reason)
        {
            Interlocked.CompareExchange(ref _abortedFor, reason, null);
            RequestStop(StopReason.StopRequested);
        }

        /// <summary>-> Failed: keeps the first error, cancels what is in flight, wakes the dispatcher.</summary>
        public void Fail(Exception e)
        {
            Interlocked.CompareExchange(ref _fatal, e, null);
            CancelQuietly(_hard);
            Woken?.Invoke();
        }

        /// <summary>Running -> Suspended: items waiting out a rate-limit pause go back, unless claiming has ended.</summary>
        public void NoticeSuspend()
        {
            lock (_gate)
            {
                _suspendRequested = true;
                if (!_draining && _releaseWaiting != null)
                {
                    CancelQuietly(_releaseWaiting);
                }
            }
        }

        /// <summary>
        /// Asked by a worker before it starts an item: true when the item goes back for a suspend (a suspend is asked
        /// for and the run still claims); false when it is to be processed (claiming has ended: it is finished).
        /// </summary>
        public bool ReleaseForSuspend()
        {
            if (!_suspendRequested)
            {
                return false;
            }

            lock (_gate)
            {
                return !_draining;
            }
        }

        /// <summary>Suspended -> Running: nothing is in flight after a suspend, so the cancelled release source can go.</summary>
        public void Resumed()
        {
            lock (_gate)
            {
                _suspendRequested = false;
                Interlocked.Exchange(ref _releaseWaiting, CancellationTokenSource.CreateLinkedTokenSource(_graceful.Token))?.Dispose();
            }
        }

        /// <summary>
        /// The claim found the job drained. Not drained when a suspend is pending (items just released for it are
        /// pending again): false. Otherwise, without <paramref name="continuous"/>, -> Draining (Drained) and true; with
        /// it, false (the run idles).
        /// </summary>
        public bool TryEndDrained(bool continuous, out bool suspendPending)
        {
            lock (_gate)
            {
                suspendPending = _suspendRequested;
                if (suspendPending || continuous)
                {
                    return false;
                }

                _draining = true;
                _claimingEnded = StopReason.Drained;
                return true;
            }
        }

        /// <summary>-> Draining: the dispatcher claims nothing more, for <paramref name="reason"/> (None: it failed).</summary>
        public void EndClaiming(StopReason reason)
        {
            lock (_gate)
            {
                _draining = true;
                if (_claimingEnded == StopReason.None)
                {
                    _claimingEnded = reason;
                }
            }
        }

        /// <summary>The dispatcher saw a stop: it ends claiming for it, and the stop decides the run's end.</summary>
        public void EndClaimingForStop()
        {
            EndClaiming(StopTookEffect());
        }

        /// <summary>
        /// A stop took effect: the dispatcher saw it, or a worker let an item go for it (after the dispatcher had
        /// claimed its last batch, too). The stop that was asked for then is the run's reason. Returns it.
        /// </summary>
        public StopReason StopTookEffect()
        {
            _stopTookEffect = true;
            StopReason now = RequestedStop;
            Interlocked.CompareExchange(ref _effectiveStop, (int)now, (int)StopReason.None);
            return (StopReason)Volatile.Read(ref _effectiveStop);
        }

        /// <summary>How the run ends: its state and stop reason, from the transitions recorded on the way.</summary>
        public (RunState State, StopReason Reason) Outcome()
        {
            StopReason reason = _claimingEnded;
            StopReason effective = (StopReason)Volatile.Read(ref _effectiveStop);
            if (effective == StopReason.None && _stopTookEffect)
            {
                effective = RequestedStop; // an item was let go before the stop's reason was visible to that worker
            }

            if (!IsStop(reason) && effective != StopReason.None)
            {
                reason = effective;
            }

            if (Fatal != null)
            {
                return (RunState.Failed, reason == StopReason.BackupFailed ? StopReason.BackupFailed : StopReason.Error);
            }

            return (IsStop(reason) ? RunState.Stopped : RunState.Completed, reason);
        }

        public static bool IsStop(StopReason reason) =>
            reason == StopReason.Cancelled || reason == StopReason.StopRequested || reason == StopReason.MaxDurationReached || reason == StopReason.CircuitBroken;

        /// <summary>Cancels a source that the run may already have disposed at its end.</summary>
        private static void CancelQuietly(CancellationTokenSource source)
        {
            try
            {
                source.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }
}
