using System;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using BatchOps.Engine.Health;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Reporting;
using BatchOps.Engine.Storage;
using BatchOps.Engine.Platform;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Running
{
    /// <summary>
    /// What the parts of one run share: the job, the store, the options, the control state, the tally, the queues
    /// between the dispatcher, the workers and the recorder, and the run's activity as the store shows it.
    /// </summary>
    internal sealed class RunContext
    {
        private readonly object _activityLock = new object();
        private RunActivity _activity = RunActivity.Processing;
        private readonly Action<RunEvent> _publish;

        public RunContext(BatchRunner runner, RunControl control, IJobStore store, IItemProcessor processor, RunOptions options, BatchJob job, long runId, TimeProvider time, RunHost host, Action<RunEvent> publish, bool hasListener)
        {
            Runner = runner;
            Control = control;
            Store = store;
            Processor = processor;
            Options = options;
            Job = job;
            RunId = runId;
            Time = time;
            Host = host;
            _publish = publish;
            HasListener = hasListener;
            Live = new LiveJob(store, job);
            Tally = new RunTally(store.NowMs());
            control.Woken = () => ItemFinished.Release();
        }

        public BatchRunner Runner { get; }

        public RunControl Control { get; }

        public IJobStore Store { get; }

        public IItemProcessor Processor { get; }

        public RunOptions Options { get; }

        /// <summary>The job as the run started.</summary>
        public BatchJob Job { get; }

        public long RunId { get; }

        public TimeProvider Time { get; }

        public RunHost Host { get; }

        /// <summary>True when someone reads the run's events (progress is built only then).</summary>
        public bool HasListener { get; }

        /// <summary>The job's counters as they grow during the run.</summary>
        public LiveJob Live { get; }

        public RunTally Tally { get; }

        public BatchTracker Tracker { get; } = new BatchTracker();

        /// <summary>Claimed items, from the dispatcher to the workers.</summary>
        public Channel<WorkUnit> Work { get; } = Channel.CreateUnbounded<WorkUnit>(new UnboundedChannelOptions { SingleWriter = true });

        /// <summary>Outcomes, retries and notes, from the workers to the recorder.</summary>
        public Channel<RecorderMessage> Records { get; } = Channel.CreateUnbounded<RecorderMessage>(new UnboundedChannelOptions { SingleReader = true });

        /// <summary>Released when a worker hands over outcomes while the dispatcher waits (see <see cref="DispatcherWaiting"/>).</summary>
        public SemaphoreSlim ItemFinished { get; } = new SemaphoreSlim(0);

        /// <summary>Released when a batch is recorded (paced batches wait for it).</summary>
        public SemaphoreSlim BatchRecorded { get; } = new SemaphoreSlim(0);

        /// <summary>1 while the dispatcher waits for an item to finish: only then do workers signal.</summary>
        public int DispatcherWaiting;

        public ItemExecutor Executor { get; set; } = null!;

        public BatchResultFiles? ResultFiles { get; set; }

        /// <summary>The reading the memory guard judges (a test's, or this machine's).</summary>
        public Func<MemoryReading?> MemoryProbe => Runner.MemoryProbe ?? SystemMemory.Read;

        /// <summary>What the memory guard and deep sleep do to give memory back.</summary>
        public Func<(long Before, long After)> ReleaseMemory => Runner.ReleaseMemory ?? MemoryRelease.Release;

        public TimeSpan WakeCheckInterval => Runner.WakeCheckInterval;

        /// <summary>The job's changes as the store tells them (a server store), or null: then only the timer wakes a waiting run.</summary>
        public IJobChangeListener? Changes { get; set; }

        /// <summary>
        /// A waiting run's pause between two looks at the store: the wake-check interval, cut short when the store
        /// tells of a change of the job. Throws OperationCanceledException when the run stops claiming.
        /// </summary>
        public async Task WaitForChangeAsync()
        {
            CancellationToken stop = Control.DispatchStop;
            if (Changes == null)
            {
                await Time.Delay(WakeCheckInterval, stop).ConfigureAwait(false);
                return;
            }

            using var cut = CancellationTokenSource.CreateLinkedTokenSource(stop);
            Task timer = Time.Delay(WakeCheckInterval, cut.Token);
            await Task.WhenAny(timer, Changes.NextAsync()).ConfigureAwait(false);
            cut.Cancel();
            stop.ThrowIfCancellationRequested();
        }

        public RunActivity Activity
        {
            get
            {
                lock (_activityLock)
                {
                    return _activity;
                }
            }
        }

        public void Publish(RunEvent e) => _publish(e);

        /// <summary>Ends the run as failed with <paramref name="e"/> (the first error wins).</summary>
        public void Fail(Exception e) => Control.Fail(e);

        /// <summary>Records what the run is doing, in the store, when it changes. A store error is a warning, never fatal.</summary>
        public void SetActivity(RunActivity activity, string? reason)
        {
            lock (_activityLock)
            {
                if (activity == _activity && activity == RunActivity.Processing)
                {
                    return;
                }

                _activity = activity;
            }

            try
            {
                Store.SetRunActivity(RunId, activity, reason);
            }
            catch (BatchOpsException e)
            {
                Publish(new RunWarningEvent { Message = "Could not record the run's activity: " + e.Message });
            }
        }

        /// <summary>Runs of this job whose process died: their leftover processes killed, their items returned.</summary>
        public void RecoverDeadRuns()
        {
            (int runs, long returned, string message) = RunRecovery.RecoverDeadRuns(Store, Job.Id, Host);
            if (runs > 0)
            {
                Publish(new RunsRecoveredEvent { Runs = runs, ItemsReturned = returned, Message = message });
            }
        }

        /// <summary>
        /// Waits until a worker finishes an item, unless <paramref name="stillBlocked"/> turns false first. Workers
        /// signal only when the dispatcher has said it is waiting, so a fast run does not pay a wake-up per item.
        /// </summary>
        public async Task WaitForItemAsync(Func<bool> stillBlocked)
        {
            Volatile.Write(ref DispatcherWaiting, 1);
            if (!stillBlocked())
            {
                Volatile.Write(ref DispatcherWaiting, 0);
                return;
            }

            try
            {
                await ItemFinished.WaitAsync(Control.DispatchStop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Checked at the top of the dispatch loop.
            }
            finally
            {
                Volatile.Write(ref DispatcherWaiting, 0);
            }
        }

        /// <summary>Waits until no item is in flight and every outcome is committed: the store and the processor are at rest.</summary>
        public async Task QuietAsync()
        {
            while (Interlocked.Read(ref Tally.Held) > 0 && !Control.DispatchStop.IsCancellationRequested)
            {
                await WaitForItemAsync(() => Interlocked.Read(ref Tally.Held) > 0).ConfigureAwait(false);
            }

            var flushed = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (Records.Writer.TryWrite(new RecorderMessage(flushed)))
            {
                await flushed.Task.ConfigureAwait(false);
            }
        }

        public static bool JobRemoved(Exception? e) => e is BatchOpsException known && known.ErrorId == ErrorIds.JobRemoved;
    }
}
