using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Channels;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using BatchOps.Engine.Diagnostics;
using BatchOps.Engine.Health;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Reporting;
using BatchOps.Engine.Storage;

namespace BatchOps.Engine.Running
{
    /// <summary>
    /// Runs a job: claims batches of items, processes them on up to ThrottleLimit workers, and records every outcome
    /// and a checkpoint after every batch. Stops when the job is drained or a stop condition is met; on
    /// cancellation it releases what it has not finished and writes its final checkpoint. One runner, one run.
    /// </summary>
    /// <remarks>
    /// Three loops share the work: the dispatcher claims (one store transaction per batch) and keeps at most one batch
    /// queued ahead of the workers; the workers process items with no barrier between batches (unless BatchDelay asks
    /// for one); the recorder writes every outcome that has arrived in one transaction (group commit), closing
    /// batches and the checkpoint in the same transaction. A heartbeat renews the leases of items in flight.
    /// </remarks>
    public sealed partial class BatchRunner
    {
        private readonly IJobStore _store;
        private readonly IItemProcessor _processor;
        private readonly RunOptions _options;
        private readonly ChannelWriter<RunEvent>? _events;
        private readonly TimeProvider _time;
        private readonly RunHost _host;
        private readonly CancellationTokenSource _graceful = new CancellationTokenSource();
        private int _gracefulReason = (int)StopReason.None;
        private int _used;
        private volatile bool _suspendRequested;

        public BatchRunner(IJobStore store, IItemProcessor processor, RunOptions options, ChannelWriter<RunEvent>? events = null)
            : this(store, processor, options, null, events)
        {
        }

        /// <summary>With a clock and a host of one's own (tests). The cmdlets use the overload without them, see SqliteJobStore.Open.</summary>
        public BatchRunner(IJobStore store, IItemProcessor processor, RunOptions options, TimeProvider? time, ChannelWriter<RunEvent>? events = null, RunHost? host = null)
        {
            _store = store ?? throw new ArgumentNullException(nameof(store));
            _processor = processor ?? throw new ArgumentNullException(nameof(processor));
            _options = options ?? throw new ArgumentNullException(nameof(options));
            _events = events;
            _time = time ?? TimeProvider.System;
            _host = host ?? RunHost.Current;
        }

        /// <summary>Replaces the rate limiter built from RunOptions.RateLimit (tests drive a manual one).</summary>
        internal Func<RateLimiter?>? RateLimiterFactory { get; set; }

        /// <summary>The memory reading the memory guard judges (tests inject readings; null: this machine's).</summary>
        internal Func<MemoryReading?>? MemoryProbe { get; set; }

        /// <summary>What the memory guard and deep sleep do to give memory back (tests count the calls).</summary>
        internal Func<(long Before, long After)>? ReleaseMemory { get; set; }

        /// <summary>True once the run has seen a Suspend-BatchRun request it has not yet acted on or that still holds.</summary>
        internal bool SuspendRequestSeen => _suspendRequested;

        /// <summary>How often a run looks for Stop-/Suspend-/Resume-BatchRun requests and, when idle, for new items.</summary>
        internal TimeSpan WakeCheckInterval { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>The error that made the run fail, if it did.</summary>
        public Exception? Failure { get; private set; }

        /// <summary>True once a graceful stop was asked for (RequestStop, Stop-BatchRun, -MaxDuration).</summary>
        public bool StopRequested => _graceful.IsCancellationRequested;

        /// <summary>The id of the run, once it has started.</summary>
        public long RunId { get; private set; }

        /// <summary>
        /// Asks the run to stop at the next item boundary: it claims nothing more, releases items not yet started,
        /// lets items in flight finish, and ends Stopped. Safe from any thread, before or during the run.
        /// </summary>
        public void RequestStop() => StopGracefully(StopReason.StopRequested);

        private void StopGracefully(StopReason reason)
        {
            Interlocked.CompareExchange(ref _gracefulReason, (int)reason, (int)StopReason.None);
            CancelQuietly(_graceful);
        }

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

        /// <summary>Runs the job until it is done or stopped. Bad options are refused before anything is written.</summary>
        /// <param name="job">The job, as read from the store.</param>
        /// <param name="cancellationToken">Cancels the run: items in flight are cancelled and released.</param>
        /// <param name="input">What feeding the pipeline input added, for the summary.</param>
        public async Task<BatchRunSummary> RunAsync(BatchJob job, CancellationToken cancellationToken = default, EnqueueResult? input = null)
        {
            _options.Validate();
            if (Interlocked.Exchange(ref _used, 1) == 1)
            {
                throw new InvalidOperationException("A BatchRunner runs once; create a new one for the next run.");
            }

            (int recoveredRuns, long returned, string recoveredMessage) = RunRecovery.RecoverDeadRuns(_store, job.Id, _host);
            if (recoveredRuns > 0)
            {
                Publish(new RunsRecoveredEvent { Runs = recoveredRuns, ItemsReturned = returned, Message = recoveredMessage });
            }

            BatchJob baseline = _store.FindJob(job.Name) ?? job;
            RunId = _store.StartRun(job.Id, new RunStart
            {
                Host = _host.Machine,
                ProcessId = _host.ProcessId,
                ProcessStartedMs = _host.ProcessStartedMs,
                User = _host.User,
                OptionsJson = _options.ToJson(),
            });

            var run = new ActiveRun(this, baseline, RunId, cancellationToken);
            BatchRunSummary summary;
            using (RunnerMark.EnterRun())
            {
                summary = await run.ExecuteAsync(input).ConfigureAwait(false);
            }

            Failure = summary.StopReason == StopReason.JobRemoved ? null : run.Fatal; // a stop, said in the summary
            if (_options.KeepRuns is int keep && summary.StopReason != StopReason.JobRemoved)
            {
                RunHistory.KeepNewest(_store, job, keep, Publish);
            }

            return summary;
        }

        private void Publish(RunEvent e) => _events?.TryWrite(e);

        private enum MessageKind
        {
            Outcome,
            Outcomes,
            Retry,
            Note,
            Flush,
        }

        private readonly struct RecorderMessage
        {
            public RecorderMessage(ItemOutcome outcome, long batch)
            {
                Kind = MessageKind.Outcome;
                Outcome = outcome;
                Retry = null;
                Batch = batch;
            }

            public RecorderMessage(OutcomeGroup group)
            {
                Kind = MessageKind.Outcomes;
                Outcome = null;
                Retry = null;
                Batch = 0;
                Group = group;
            }

            public RecorderMessage(ItemRetry retry)
            {
                Kind = MessageKind.Retry;
                Outcome = null;
                Retry = retry;
                Batch = 0;
            }

            public RecorderMessage(ErrorNote note)
            {
                Kind = MessageKind.Note;
                Outcome = null;
                Retry = null;
                Batch = 0;
                Note = note;
            }

            public RecorderMessage(TaskCompletionSource<bool> flushed)
            {
                Kind = MessageKind.Flush;
                Outcome = null;
                Retry = null;
                Batch = 0;
                Flushed = flushed;
            }

            public MessageKind Kind { get; }

            /// <summary>Outcomes a worker finished back to back (see <see cref="OutcomeGroup"/>).</summary>
            public OutcomeGroup? Group { get; }

            public ErrorNote? Note { get; }

            /// <summary>Completed once everything written before it is committed (a quiet point).</summary>
            public TaskCompletionSource<bool>? Flushed { get; }

            public ItemOutcome? Outcome { get; }

            public ItemRetry? Retry { get; }

            public long Batch { get; }
        }

        /// <summary>The state of one run in progress.</summary>
        private sealed partial class ActiveRun
        {
            private const int MaxMessagesPerCommit = 4_096;
            private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);

            private readonly BatchRunner _runner;
            private readonly RunOptions _options;
            private readonly IJobStore _store;
            private readonly BatchJob _job;
            private readonly long _runId;
            private readonly CancellationTokenSource _hard;
            private readonly CancellationTokenSource _dispatchStop;
            private readonly Channel<WorkUnit> _work = Channel.CreateUnbounded<WorkUnit>(new UnboundedChannelOptions { SingleWriter = true });
            private readonly Channel<RecorderMessage> _records = Channel.CreateUnbounded<RecorderMessage>(new UnboundedChannelOptions { SingleReader = true });
            private readonly SemaphoreSlim _itemFinished = new SemaphoreSlim(0);
            private readonly SemaphoreSlim _batchRecorded = new SemaphoreSlim(0);
            private readonly BatchTracker _tracker = new BatchTracker();
            private readonly Stopwatch _clock = Stopwatch.StartNew();
            private readonly ProgressCalculator _progress;
            private readonly LiveJob _live;
            private readonly long _startMs;
            private ItemExecutor? _executor;
            private const long ExpiredCheckIntervalMs = 15_000;
            private readonly PrefetchPolicy _prefetch = new PrefetchPolicy();
            private int _dispatcherWaiting;
            private long _held;
            private long _claimed;
            private long _localSucceeded;
            private long _succeeded;
            private long _failed;
            private long _released;
            private long _releasedOnSuspend;

            // Cancelled by a graceful stop, and by a suspend request: items waiting out a rate-limit pause go back
            // unstarted instead of holding the stop or the suspend for the rest of the pause. Renewed after a resume.
            private CancellationTokenSource _releaseWaiting;
            private readonly object _suspendLock = new object();
            private bool _dispatcherDone;
            private long _lastProgressMs;
            private Exception? _fatal;
            private StopReason _stopReason = StopReason.None;
            private readonly object _activityLock = new object();
            private RunActivity _activity = RunActivity.Processing;
            private long? _idleSince;
            private TimeSpan _pollInterval;
            private bool _asleep;
            private long _nextMemoryCheck;
            private long _nextBackupAt;
            private long _lastBackupAtBatch;
            private BatchResultFiles? _resultFiles;

            public ActiveRun(BatchRunner runner, BatchJob job, long runId, CancellationToken cancellationToken)
            {
                _runner = runner;
                _options = runner._options;
                _store = runner._store;
                _job = job;
                _runId = runId;
                _hard = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                _dispatchStop = CancellationTokenSource.CreateLinkedTokenSource(_hard.Token, runner._graceful.Token);
                _releaseWaiting = CancellationTokenSource.CreateLinkedTokenSource(runner._graceful.Token);
                _startMs = _store.NowMs();
                _progress = new ProgressCalculator(_startMs);
                _live = new LiveJob(_store, job);
            }

            public Exception? Fatal => _fatal;

            public async Task<BatchRunSummary> ExecuteAsync(EnqueueResult? input)
            {
                RateLimiter? limiter = _runner.RateLimiterFactory != null ? _runner.RateLimiterFactory() : RateLimits.Create(_options.RateLimit);
                _executor = new ItemExecutor(_runner._processor, _options, limiter, _job.Name, _runId, _runner._time, _store.NowMs, OnRetry, OnRateLimited, OnCircuitOpened);
                _nextBackupAt = _options.BackupEvery ?? long.MaxValue;
                _lastBackupTime = _runner._time.GetUtcNow();
                _resultFiles = _options.ResultPath != null ? new BatchResultFiles(_store, _job, _runId, _options.ResultPath, _runner.Publish) : null;
                _runner.Publish(new RunStartedEvent { RunId = _runId, Job = _job.Name, Progress = Snapshot() });

                using var heartbeatStop = new CancellationTokenSource();
                using ITimer? durationTimer = _options.MaxDuration is TimeSpan maxDuration
                    ? _runner._time.CreateTimer(_ => _runner.StopGracefully(StopReason.MaxDurationReached), null, maxDuration, Timeout.InfiniteTimeSpan)
                    : null;

                Task recorder = Task.Run(RecordAsync);
                var workers = new Task[_options.ThrottleLimit];
                for (int i = 0; i < workers.Length; i++)
                {
                    int index = i;
                    workers[i] = Task.Run(() => WorkAsync(index));
                }

                Task heartbeat = Task.Run(() => HeartbeatAsync(heartbeatStop.Token));
                try
                {
                    await DispatchAsync().ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    Fail(e);
                }
                finally
                {
                    lock (_suspendLock)
                    {
                        _dispatcherDone = true;
                    }
                }

                _work.Writer.TryComplete();
                await Task.WhenAll(workers).ConfigureAwait(false);
                _records.Writer.TryComplete();
                await recorder.ConfigureAwait(false);
                if (_resultFiles != null)
                {
                    await _resultFiles.CompleteAsync().ConfigureAwait(false);
                }

                heartbeatStop.Cancel();
                await heartbeat.ConfigureAwait(false);
                limiter?.Dispose();
                return Finish(input);
            }

            private async Task DispatchAsync()
            {
                long claimedTotal = 0;
                int maxAttempts = _options.RetryLimit + 1;
                bool barrier = _options.BatchDelay > TimeSpan.Zero;
                bool includeExpired = true; // the first claim takes over expired leases, then every so often
                long nextExpiredCheckMs = 0;

                if (_options.BackupFirst && !await TakeBackupAsync("RunStart").ConfigureAwait(false))
                {
                    _stopReason = StopReason.BackupFailed;
                    return;
                }

                while (true)
                {
                    if (_hard.IsCancellationRequested)
                    {
                        _stopReason = StopReason.Cancelled;
                        return;
                    }

                    if (_runner._graceful.IsCancellationRequested)
                    {
                        _stopReason = (StopReason)Volatile.Read(ref _runner._gracefulReason);
                        return;
                    }

                    // Before claiming more: honour Suspend-BatchRun, a rate-limit pause, the memory guard, a backup due.
                    if (_runner._suspendRequested)
                    {
                        await SuspendAsync().ConfigureAwait(false);
                        continue;
                    }

                    if (_executor!.Gate.IsClosed)
                    {
                        // A stop or a suspend request ends the wait: both are handled at the top of the loop.
                        using var stopOrSuspend = CancellationTokenSource.CreateLinkedTokenSource(_dispatchStop.Token, Volatile.Read(ref _releaseWaiting).Token);
                        try
                        {
                            await _executor.Gate.WaitAsync(stopOrSuspend.Token).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException)
                        {
                            continue;
                        }
                    }

                    if (_activity == RunActivity.RateLimitPaused)
                    {
                        SetActivity(RunActivity.Processing, null);
                    }

                    if (!await GuardMemoryAsync().ConfigureAwait(false))
                    {
                        continue;
                    }

                    // A backup is due once the batches before it are claimed: stop claiming, let them finish, back up.
                    if (BackupDue())
                    {
                        if (!await BackupAtQuietPointAsync("RunInterval").ConfigureAwait(false))
                        {
                            continue;
                        }

                        _nextBackupAt = _options.BackupEvery is int every ? _tracker.Started + every : long.MaxValue;
                        continue;
                    }

                    // Whole batches, as many as the prefetch allows (one in barrier mode), within the stop limits.
                    int batchesAhead = barrier ? 1 : _prefetch.BatchesAhead(_options.BatchSize, _options.ThrottleLimit);
                    long window = _options.ThrottleLimit + (long)_options.BatchSize * batchesAhead;
                    long held = Interlocked.Read(ref _held);
                    long want = barrier ? _options.BatchSize : Math.Max(_options.BatchSize, (window - held) / _options.BatchSize * _options.BatchSize);
                    if (_options.MaxItems is long maxItems)
                    {
                        long left = maxItems - claimedTotal;
                        if (left <= 0)
                        {
                            _stopReason = StopReason.MaxItemsReached;
                            return;
                        }

                        want = Math.Min(want, left);
                    }

                    if (_options.TargetPercent is double target)
                    {
                        // Claim only what the target still needs, counting items in flight as if they will succeed;
                        // if some fail, the next pass claims more. The target is a share of the job as it is now:
                        // before calling it reached, look whether items were added meanwhile.
                        long done = _job.Succeeded + Interlocked.Read(ref _localSucceeded) + held;
                        long needed = _live.TargetCount(target) - done;
                        if (needed <= 0 && held == 0)
                        {
                            _live.Refresh();
                            needed = _live.TargetCount(target) - done;
                        }

                        if (needed <= 0)
                        {
                            if (held == 0)
                            {
                                _stopReason = StopReason.TargetReached;
                                return;
                            }

                            await WaitForItemAsync(() => Interlocked.Read(ref _held) == held).ConfigureAwait(false);
                            continue;
                        }

                        want = Math.Min(want, needed);
                    }

                    if (_options.BackupEvery.HasValue)
                    {
                        want = Math.Min(want, (_nextBackupAt - _tracker.Started) * _options.BatchSize);
                    }

                    if (held > 0 && held + want > window)
                    {
                        await WaitForItemAsync(() => Interlocked.Read(ref _held) + want > window).ConfigureAwait(false);
                        continue;
                    }

                    long now = _store.NowMs();
                    bool checkExpired = includeExpired || now >= nextExpiredCheckMs;
                    long leaseExpires = now + (long)_options.LeaseDuration.TotalMilliseconds;
                    long profiled = RunProfile.Start();
                    ClaimResult claim = _store.Claim(_job.Id, _runId, (int)Math.Min(want, int.MaxValue), leaseExpires, maxAttempts, checkExpired, _options.ItemKeys);
                    RunProfile.Stop(RunProfile.Phase.Claim, profiled, claim.Items.Count);
                    includeExpired = false;
                    if (checkExpired)
                    {
                        nextExpiredCheckMs = now + ExpiredCheckIntervalMs;
                    }

                    foreach (string key in claim.Abandoned)
                    {
                        Interlocked.Increment(ref _failed);
                        _runner.Publish(new ItemFailedEvent { Key = key, Attempts = maxAttempts, Error = "Given up: the run processing it was killed or crashed on every attempt.", ErrorType = "Abandoned" });
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
                        if ((_options.BackupEvery.HasValue || _options.BackupInterval.HasValue) && _tracker.Started > _lastBackupAtBatch && !await BackupAtQuietPointAsync("RunEnd").ConfigureAwait(false))
                        {
                            continue;
                        }

                        lock (_suspendLock)
                        {
                            // Workers may have just released items for a suspend: they are pending again, so not drained.
                            if (_runner._suspendRequested)
                            {
                                continue;
                            }

                            if (!_options.Continuous)
                            {
                                _dispatcherDone = true;
                                _stopReason = StopReason.Drained;
                                return;
                            }
                        }

                        await IdleAsync().ConfigureAwait(false);
                        includeExpired = true;
                        continue;
                    }

                    if (_idleSince != null)
                    {
                        Wake(claim.Items.Count);
                    }

                    claimedTotal += claim.Items.Count;
                    Interlocked.Add(ref _claimed, claim.Items.Count);
                    Interlocked.Add(ref _held, claim.Items.Count);
                    long batch = 0;
                    for (int i = 0; i < claim.Items.Count; i++)
                    {
                        if (i % _options.BatchSize == 0)
                        {
                            batch = _tracker.Register(Math.Min(_options.BatchSize, claim.Items.Count - i), now);
                        }

                        _work.Writer.TryWrite(new WorkUnit(claim.Items[i], batch));
                    }

                    if (barrier)
                    {
                        // Paced batches: finish the batch, write its checkpoint, pause, then take the next one.
                        try
                        {
                            await _batchRecorded.WaitAsync(_hard.Token).ConfigureAwait(false);
                            await _runner._time.Delay(_options.BatchDelay, _dispatchStop.Token).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException)
                        {
                            // Checked at the top of the loop.
                        }
                    }
                }
            }

            /// <summary>
            /// Waits until a worker finishes an item, unless <paramref name="stillBlocked"/> turns false first. Workers
            /// signal only when the dispatcher has said it is waiting, so a fast run does not pay a wake-up per item.
            /// </summary>
            private async Task WaitForItemAsync(Func<bool> stillBlocked)
            {
                Volatile.Write(ref _dispatcherWaiting, 1);
                if (!stillBlocked())
                {
                    Volatile.Write(ref _dispatcherWaiting, 0);
                    return;
                }

                try
                {
                    await _itemFinished.WaitAsync(_dispatchStop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Checked at the top of the dispatch loop.
                }
                finally
                {
                    Volatile.Write(ref _dispatcherWaiting, 0);
                }
            }

            private async Task WorkAsync(int worker)
            {
                var finished = new OutcomeGroup();
                try
                {
                    ChannelReader<WorkUnit> reader = _work.Reader;
                    while (true)
                    {
                        if (!reader.TryPeek(out _))
                        {
                            finished = HandOver(finished); // before waiting for the next items
                            if (!await reader.WaitToReadAsync().ConfigureAwait(false))
                            {
                                break;
                            }
                        }

                        while (reader.TryRead(out WorkUnit? unit))
                        {
                            ItemOutcome outcome;
                            if (_hard.IsCancellationRequested || _runner._graceful.IsCancellationRequested)
                            {
                                outcome = Release(unit);
                            }
                            else if (ReleaseForSuspend())
                            {
                                outcome = Release(unit); // not started: back to pending, claimed again after Resume-BatchRun
                            }
                            else
                            {
                                unit.Worker = worker;
                                long profiled = RunProfile.Start();
                                Task<ItemOutcome> running = _executor!.ExecuteAsync(unit, _hard.Token, Volatile.Read(ref _releaseWaiting).Token);
                                if (!running.IsCompleted)
                                {
                                    finished = HandOver(finished); // what is finished does not wait for this item
                                }

                                outcome = await running.ConfigureAwait(false);
                                RunProfile.Stop(RunProfile.Phase.Execute, profiled, 1);
                                if (unit.ReleasedAtGate && !_hard.IsCancellationRequested && !_runner._graceful.IsCancellationRequested)
                                {
                                    Interlocked.Increment(ref _releasedOnSuspend); // let go at the rate-limit gate for a suspend
                                }
                            }

                            if (outcome.Kind != OutcomeKind.Released)
                            {
                                _prefetch.Observe(outcome.DurationMs);
                            }

                            finished.Add(outcome, unit.Batch);
                            if (finished.IsFull || outcome.DurationMs > 0)
                            {
                                // Grouping pays only for items that take no time; a slower one goes at once.
                                finished = HandOver(finished);
                            }
                        }
                    }
                }
                catch (Exception e)
                {
                    Fail(e);
                }
                finally
                {
                    HandOver(finished);
                }
            }

            private bool ReleaseForSuspend()
            {
                if (!_runner._suspendRequested)
                {
                    return false;
                }

                lock (_suspendLock)
                {
                    if (_dispatcherDone)
                    {
                        return false; // the dispatcher has ended the run's claiming: finish what is left instead
                    }

                    Interlocked.Increment(ref _releasedOnSuspend);
                    return true;
                }
            }

            private static ItemOutcome Release(WorkUnit unit) => new ItemOutcome
            {
                ItemId = unit.Item.Id,
                LeaseToken = unit.Item.LeaseToken,
                Key = unit.Item.Key,
                Kind = OutcomeKind.Released,
                Attempt = unit.Attempt,
                UndoAttempt = true,
            };

            private void OnRetry(WorkUnit unit, ItemRetry retry)
            {
                _records.Writer.TryWrite(new RecorderMessage(retry));
                _runner.Publish(new ItemRetryingEvent { Key = retry.Key, Attempt = retry.Attempt, Error = retry.Error });
            }

            private async Task RecordAsync()
            {
                ChannelReader<RecorderMessage> reader = _records.Reader;
                var completed = new List<BatchRecord>();
                var failures = new List<ItemOutcome>();
                var flushes = new List<TaskCompletionSource<bool>>();
                try
                {
                    while (await reader.WaitToReadAsync().ConfigureAwait(false))
                    {
                        long profiled = RunProfile.Start();
                        var commit = new RunCommit { JobId = _job.Id, RunId = _runId };
                        completed.Clear();
                        long now = _store.NowMs();
                        int taken = 0;
                        while (taken < MaxMessagesPerCommit && reader.TryRead(out RecorderMessage message))
                        {
                            taken++;
                            if (message.Kind == MessageKind.Retry)
                            {
                                commit.Retries.Add(message.Retry!);
                                continue;
                            }

                            if (message.Kind == MessageKind.Note)
                            {
                                commit.Notes.Add(message.Note!);
                                continue;
                            }

                            if (message.Kind == MessageKind.Flush)
                            {
                                flushes.Add(message.Flushed!);
                                continue;
                            }

                            if (message.Kind == MessageKind.Outcomes)
                            {
                                OutcomeGroup group = message.Group!;
                                taken += group.Count - 1;
                                for (int i = 0; i < group.Count; i++)
                                {
                                    AddOutcome(commit, completed, group.Outcomes[i], group.Batches[i], now);
                                }

                                continue;
                            }

                            AddOutcome(commit, completed, message.Outcome!, message.Batch, now);
                        }

                        commit.Checkpoint = new RunCheckpointUpdate
                        {
                            State = RunState.Running,
                            BatchesStarted = _tracker.Started,
                            BatchesCompleted = _tracker.Completed,
                            Claimed = Interlocked.Read(ref _claimed),
                        };

                        long committing = RunProfile.Start();
                        CommitResult result = _store.Commit(commit);
                        RunProfile.Stop(RunProfile.Phase.Commit, committing, commit.Outcomes.Count);
                        foreach (TaskCompletionSource<bool> flushed in flushes)
                        {
                            flushed.TrySetResult(true);
                        }

                        flushes.Clear();
                        failures.Clear();
                        for (int i = 0; i < commit.Outcomes.Count; i++)
                        {
                            ItemOutcome outcome = commit.Outcomes[i];
                            if (!result.Accepted[i])
                            {
                                _runner.Publish(new RunWarningEvent { Message = $"The outcome of item '{outcome.Key}' was not recorded: its lease expired and another run took the item over (it is processed there)." });
                                continue;
                            }

                            switch (outcome.Kind)
                            {
                                case OutcomeKind.Succeeded:
                                    _succeeded++;
                                    break;
                                case OutcomeKind.Failed:
                                    Interlocked.Increment(ref _failed);
                                    failures.Add(outcome);
                                    break;
                                default:
                                    _released++;
                                    break;
                            }
                        }

                        _progress.Record(now, _succeeded + Interlocked.Read(ref _failed));
                        if (_runner._events != null && (completed.Count > 0 || now - _lastProgressMs >= ProgressInterval.TotalMilliseconds))
                        {
                            _live.Refresh(); // what is published next counts items added since the run started
                        }
                        foreach (ItemOutcome failure in failures)
                        {
                            _runner.Publish(new ItemFailedEvent { Key = failure.Key, Attempts = failure.Attempt, Error = failure.Error ?? "", ErrorType = failure.ErrorType });
                        }

                        foreach (BatchRecord batch in completed)
                        {
                            _batchRecorded.Release();
                            _resultFiles?.Committed(batch.Number);
                            if (_runner._events == null)
                            {
                                continue;
                            }

                            _runner.Publish(new BatchCompletedEvent
                            {
                                Number = batch.Number,
                                Items = batch.Items,
                                Succeeded = batch.Succeeded,
                                Failed = batch.Failed,
                                Released = batch.Released,
                                Duration = TimeSpan.FromMilliseconds(Math.Max(0, batch.CompletedMs - batch.StartedMs)),
                                Progress = Snapshot(),
                            });
                        }

                        if (_runner._events != null && now - _lastProgressMs >= ProgressInterval.TotalMilliseconds)
                        {
                            _lastProgressMs = now;
                            _runner.Publish(new ProgressEvent { Progress = Snapshot() });
                        }

                        RunProfile.Stop(RunProfile.Phase.Record, profiled, commit.Outcomes.Count);
                    }
                }
                catch (Exception e)
                {
                    Fail(e);
                    foreach (TaskCompletionSource<bool> flushed in flushes)
                    {
                        flushed.TrySetResult(false);
                    }

                    // Keep draining so that no worker (or a dispatcher waiting for a quiet point) waits on a recorder that is gone.
                    while (await reader.WaitToReadAsync().ConfigureAwait(false))
                    {
                        while (reader.TryRead(out RecorderMessage message))
                        {
                            message.Flushed?.TrySetResult(false);
                        }
                    }
                }
            }

            /// <summary>
            /// Every second: has another process asked this run to stop (Stop-BatchRun)? Every LeaseDuration/3 (30 s at
            /// most): renew the leases of the items in flight, which also shows the run is alive, and recover runs of the
            /// job whose process died meanwhile (their leftover processes killed, their items returned).
            /// </summary>
            private async Task HeartbeatAsync(CancellationToken stop)
            {
                TimeSpan renewEvery = TimeSpan.FromTicks(Math.Min(_options.LeaseDuration.Ticks / 3, TimeSpan.FromSeconds(30).Ticks));
                TimeSpan tick = renewEvery < _runner.WakeCheckInterval ? renewEvery : _runner.WakeCheckInterval;
                long lastRenewal = _runner._time.GetTimestamp();
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        await _runner._time.Delay(tick, stop).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }

                    try
                    {
                        bool stopAsked;
                        if (_runner._time.GetElapsedTime(lastRenewal) >= renewEvery)
                        {
                            lastRenewal = _runner._time.GetTimestamp();
                            long leaseExpires = _store.NowMs() + (long)_options.LeaseDuration.TotalMilliseconds;
                            stopAsked = _store.RenewLeases(_job.Id, _runId, leaseExpires);
                            RecoverDeadRuns(); // a runner of this job killed meanwhile: its items need not wait out their leases
                        }
                        else
                        {
                            RunSignals signals = _store.ReadSignals(_runId);
                            stopAsked = signals.StopRequested;
                            if (signals.SuspendRequested && !_runner._suspendRequested)
                            {
                                NoticeSuspend();
                                _itemFinished.Release(); // a dispatcher waiting for room looks at the request now
                            }
                        }

                        if (stopAsked)
                        {
                            _runner.StopGracefully(StopReason.StopRequested);
                        }
                    }
                    catch (BatchOpsException e) when (JobRemoved(e))
                    {
                        Fail(e); // nothing of this run can be recorded any more: stop now, not at the next outcome
                        return;
                    }
                    catch (BatchOpsException e)
                    {
                        _runner.Publish(new RunWarningEvent { Message = "Could not renew the leases of items in flight: " + e.Message });
                    }
                }
            }

            private void RecoverDeadRuns()
            {
                (int runs, long returned, string message) = RunRecovery.RecoverDeadRuns(_store, _job.Id, _runner._host);
                if (runs > 0)
                {
                    _runner.Publish(new RunsRecoveredEvent { Runs = runs, ItemsReturned = returned, Message = message });
                }
            }

            /// <summary>
            /// A Suspend-BatchRun request: items waiting out a rate-limit pause go back unstarted, unless the dispatcher
            /// has already ended the run's claiming (then what was claimed is finished, and the run ends as usual).
            /// </summary>
            private void NoticeSuspend()
            {
                lock (_suspendLock)
                {
                    _runner._suspendRequested = true;
                    if (!_dispatcherDone)
                    {
                        CancelQuietly(_releaseWaiting);
                    }
                }
            }

            private void Fail(Exception e)
            {
                Interlocked.CompareExchange(ref _fatal, e, null);
                CancelQuietly(_hard);
                _itemFinished.Release();
            }

            private static bool IsStop(StopReason reason) =>
                reason == StopReason.Cancelled || reason == StopReason.StopRequested || reason == StopReason.MaxDurationReached || reason == StopReason.CircuitBroken;

            private BatchRunSummary Finish(EnqueueResult? input)
            {
                _fatal ??= Volatile.Read(ref _runner._abortedFor); // a writer outside the engine failed (the run's log)
                // A stop can come after the dispatcher has claimed its last batch: then the workers released what
                // they had not started, and the run stopped even though the dispatcher saw the job drained.
                if (_fatal == null && _released > Interlocked.Read(ref _releasedOnSuspend) && !IsStop(_stopReason))
                {
                    _stopReason = _hard.IsCancellationRequested ? StopReason.Cancelled : (StopReason)Volatile.Read(ref _runner._gracefulReason);
                }

                RunState state;
                if (_fatal != null)
                {
                    state = RunState.Failed;
                    _stopReason = _stopReason == StopReason.BackupFailed ? StopReason.BackupFailed : StopReason.Error;
                }
                else if (IsStop(_stopReason))
                {
                    state = RunState.Stopped;
                }
                else
                {
                    state = RunState.Completed;
                }

                if (JobRemoved(_fatal))
                {
                    return RemovedSummary(input);
                }

                string? message = _fatal?.Message ?? (state == RunState.Stopped ? Volatile.Read(ref _stopMessage) : null);
                try
                {
                    var final = new RunCommit { JobId = _job.Id, RunId = _runId };
                    final.Checkpoint = new RunCheckpointUpdate
                    {
                        State = state,
                        StopReason = _stopReason,
                        BatchesStarted = _tracker.Started,
                        BatchesCompleted = _tracker.Completed,
                        Claimed = Interlocked.Read(ref _claimed),
                        Message = message,
                        Final = true,
                    };
                    _store.Commit(final);
                }
                catch (BatchOpsException e) when (JobRemoved(e))
                {
                    _fatal = e;
                    return RemovedSummary(input);
                }
                catch (Exception e) when (_fatal != null)
                {
                    message += " The final checkpoint could not be written either: " + e.Message;
                }

                BatchJob after;
                try
                {
                    after = _store.FindJob(_job.Name) ?? _job;
                }
                catch (Exception) when (_fatal != null)
                {
                    after = _job;
                }

                TimeSpan duration = _clock.Elapsed;
                long processed = _succeeded + Interlocked.Read(ref _failed);
                return new BatchRunSummary
                {
                    Job = _job.Name,
                    RunId = _runId,
                    State = state,
                    StopReason = _stopReason,
                    Total = after.Total,
                    Added = input?.Added ?? 0,
                    Skipped = input?.AlreadyDone ?? 0,
                    Succeeded = _succeeded,
                    Failed = Interlocked.Read(ref _failed),
                    Remaining = after.Remaining,
                    Batches = _tracker.Completed,
                    Duration = duration,
                    ItemsPerSecond = duration.TotalSeconds > 0 ? processed / duration.TotalSeconds : 0,
                    PercentComplete = after.PercentComplete,
                    Message = message,
                    Store = _store.Location,
                };
            }
        }
    }
}
