using System;
using System.Threading;
using System.Threading.Channels;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using BatchOps.Engine.Diagnostics;
using BatchOps.Engine.Health;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Reporting;
using BatchOps.Engine.Storage;
using BatchOps.Engine.Platform;

namespace BatchOps.Engine.Running
{
    /// <summary>
    /// Runs a job: claims batches of items, processes them on up to ThrottleLimit workers, and records every outcome
    /// and a checkpoint after every batch. Stops when the job is drained or a stop condition is met; on
    /// cancellation it releases what it has not finished and writes its final checkpoint. One runner, one run.
    /// </summary>
    /// <remarks>
    /// The composition root of a run's parts, which share a <see cref="RunContext"/>: the <see cref="Dispatcher"/>
    /// claims (one store transaction per claim, as <see cref="ClaimPlanner"/> decides) and keeps at most the prefetch
    /// window queued ahead of the <see cref="Workers"/>, which process items with no barrier between batches (unless
    /// BatchDelay asks for one); the <see cref="Recorder"/> writes every outcome that has arrived in one transaction
    /// (group commit), closing batches and the checkpoint in the same transaction; the <see cref="Heartbeat"/> renews
    /// the leases of items in flight and reads Stop-/Suspend-BatchRun requests. <see cref="RunControl"/> owns the stop,
    /// suspend and release state; <see cref="RunTally"/> the counts; <see cref="RunEnding"/> makes the summary.
    /// </remarks>
    public sealed class BatchRunner
    {
        private readonly IJobStore _store;
        private readonly IItemProcessor _processor;
        private readonly RunOptions _options;
        private readonly ChannelWriter<RunEvent>? _events;
        private readonly TimeProvider _time;
        private readonly RunHost _host;
        private readonly RunControl _control = new RunControl();
        private int _used;

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
        internal bool SuspendRequestSeen => _control.SuspendRequested;

        /// <summary>How often a run looks for Stop-/Suspend-/Resume-BatchRun requests and, when idle, for new items.</summary>
        internal TimeSpan WakeCheckInterval { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>True once a graceful stop was asked for (RequestStop, Stop-BatchRun, -MaxDuration).</summary>
        public bool StopRequested => _control.StopRequested;

        /// <summary>The id of the run, once it has started.</summary>
        public long RunId { get; private set; }

        /// <summary>
        /// Asks the run to stop at the next item boundary: it claims nothing more, releases items not yet started,
        /// lets items in flight finish, and ends Stopped. Safe from any thread, before or during the run.
        /// </summary>
        public void RequestStop() => _control.RequestStop(StopReason.StopRequested);

        /// <summary>
        /// Ends the run as failed, for a reason outside the engine (its log could not be written: the disk is full).
        /// The run stops as on <see cref="RequestStop"/> (nothing more claimed, items in flight finished or released,
        /// the final checkpoint written), then reports <paramref name="reason"/> as its summary's Failure.
        /// Safe from any thread; the first reason wins.
        /// </summary>
        public void Abort(Exception reason) => _control.Abort(reason);

        /// <summary>Runs the job until it is done or stopped. Bad options are refused before anything is written.</summary>
        /// <param name="job">The job, as read from the store.</param>
        /// <param name="cancellationToken">Cancels the run: items in flight are cancelled and released.</param>
        /// <param name="input">What feeding the pipeline input added, for the summary.</param>
        /// <returns>The summary; if the run failed, its Failure says why (ErrorId, category, message).</returns>
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

            BatchJob baseline = recoveredRuns > 0 ? _store.FindJob(job.Name) ?? job : job; // recovery moved items back
            RunId = _store.StartRun(job.Id, new RunStart
            {
                Host = _host.Machine,
                ProcessId = _host.ProcessId,
                ProcessStartedMs = _host.ProcessStartedMs,
                User = _host.User,
                OptionsJson = _options.ToJson(),
            });

            _control.Begin(cancellationToken);
            var run = new RunContext(this, _control, _store, _processor, _options, baseline, RunId, _time, _host, Publish, _events != null);
            run.Changes = (_store as IJobChangeFeed)?.Listen(job.Id);
            BatchRunSummary summary;
            using (run.Changes)
            using (RunnerMark.EnterRun())
            {
                summary = await ExecuteAsync(run, input).ConfigureAwait(false);
            }

            if (_options.KeepRuns is int keep && summary.StopReason != StopReason.JobRemoved)
            {
                RunHistory.KeepNewest(_store, job, keep, Publish);
            }

            return summary;
        }

        private void Publish(RunEvent e) => _events?.TryWrite(e);

        /// <summary>Starts the recorder, the workers and the heartbeat, dispatches until claiming ends, then winds down in order.</summary>
        private async Task<BatchRunSummary> ExecuteAsync(RunContext run, EnqueueResult? input)
        {
            RateLimiter? limiter = RateLimiterFactory != null ? RateLimiterFactory() : RateLimits.Create(_options.RateLimit);
            var prefetch = new PrefetchPolicy();
            var rateLimit = new RateLimitPause(run);
            var workers = new Workers(run, prefetch);
            run.Executor = new ItemExecutor(_processor, _options, limiter, run.Job.Name, run.RunId, _time, _store.NowMs, workers.OnRetry, rateLimit.OnRateLimited, OnCircuitOpened);
            var dispatcher = new Dispatcher(run, prefetch, rateLimit);
            run.ResultFiles = _options.ResultPath != null ? new BatchResultFiles(_store, run.Job, run.RunId, _options.ResultPath, Publish) : null;
            Publish(new RunStartedEvent { RunId = run.RunId, Job = run.Job.Name, Progress = run.Tally.Snapshot(run) });

            using var heartbeatStop = new CancellationTokenSource();
            using ITimer? durationTimer = _options.MaxDuration is TimeSpan maxDuration
                ? _time.CreateTimer(_ => _control.RequestStop(StopReason.MaxDurationReached), null, maxDuration, Timeout.InfiniteTimeSpan)
                : null;

            Task recorder = Task.Run(new Recorder(run).RecordAsync);
            Task[] working = workers.Start(_options.ThrottleLimit);
            Task heartbeat = Task.Run(() => new Heartbeat(run).BeatAsync(heartbeatStop.Token));
            try
            {
                await dispatcher.DispatchAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                run.Fail(e);
            }
            finally
            {
                _control.EndClaiming(StopReason.None);
            }

            run.Work.Writer.TryComplete();
            await Task.WhenAll(working).ConfigureAwait(false);
            run.Records.Writer.TryComplete();
            await recorder.ConfigureAwait(false);
            if (run.ResultFiles != null)
            {
                await run.ResultFiles.CompleteAsync().ConfigureAwait(false);
            }

            heartbeatStop.Cancel();
            await heartbeat.ConfigureAwait(false);
            limiter?.Dispose();
            return RunEnding.Finish(run, input);

            void OnCircuitOpened(string message)
            {
                Publish(new RunNoticeEvent { Kind = RunNoticeKind.CircuitOpened, IsWarning = true, Message = message });
                _control.RequestStop(StopReason.CircuitBroken, message); // the summary says why the run stopped
            }
        }
    }
}
