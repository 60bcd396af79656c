using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using BatchOps.Engine.Backup;
using BatchOps.Engine.Health;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;
using Microsoft.Extensions.Time.Testing;
using Xunit;
using Xunit.Abstractions;
using BatchOps.Engine.Errors;
using BatchOps.Engine.Platform;

namespace BatchOps.Engine.Tests;

/// <summary>The runner's use of health: memory guard, rate-limit pauses, circuit breaker, continuous mode, backups.</summary>
public class HealthRunnerTests
{
    private readonly ITestOutputHelper _output;

    public HealthRunnerTests(ITestOutputHelper output) => _output = output;

    private static RunOptions Fast(int batchSize = 5, int throttle = 2)
    {
        RunOptions options = RunnerTests.Fast(batchSize, throttle);
        options.RateLimitWait = TimeSpan.Zero;
        return options;
    }

    [Fact]
    public async Task The_memory_guard_claims_nothing_while_memory_is_high_pauses_and_resumes_when_it_drops()
    {
        using var folder = new TempFolder();
        using var store = Stores.Open(folder);
        BatchJob job = Stores.Seed(store, "import", 12);
        int reads = 0;
        var activityWhilePaused = new List<RunActivity>();
        var readsWhenProcessed = new ConcurrentBag<int>();
        int releases = 0;
        var events = new EventLog();
        RunOptions options = Fast();
        options.MaxMemoryPercent = 80;
        options.MemoryWait = TimeSpan.Zero;
        options.MemoryChecksBeforePause = 3;
        var runner = new BatchRunner(store, DelegateProcessor.FromSync(item =>
        {
            readsWhenProcessed.Add(Volatile.Read(ref reads));
            return ItemResult.Success();
        }), options, events.Writer)
        {
            // Five readings above the threshold, then below.
            MemoryProbe = () =>
            {
                int n = Interlocked.Increment(ref reads);
                if (n == 5)
                {
                    activityWhilePaused.Add(store.GetCheckpoint(store.GetJob("import"))!.Activity);
                }

                return new MemoryReading(100, n <= 5 ? 95 : 40, "test");
            },
            ReleaseMemory = () =>
            {
                Interlocked.Increment(ref releases);
                return (0, 0);
            },
        };

        BatchRunSummary summary = await runner.RunAsync(job);

        Assert.Equal(12, summary.Succeeded);
        Assert.All(readsWhenProcessed, n => Assert.True(n >= 6, $"an item was processed after memory reading {n}, while memory was high"));
        Assert.Equal(new[] { RunActivity.MemoryPaused }, activityWhilePaused);
        Assert.Equal(5, releases);
        List<RunNoticeKind> notices = events.Drain().OfType<RunNoticeEvent>().Select(e => e.Kind).ToList();
        Assert.Equal(new[] { RunNoticeKind.MemoryHigh, RunNoticeKind.MemoryPaused, RunNoticeKind.MemoryRecovered }, notices);
        Assert.Equal(RunActivity.Ended, store.GetCheckpoint(store.GetJob("import"))!.Activity);
    }

    [Fact]
    public async Task A_rate_limit_pauses_and_retries_without_using_up_the_item_s_attempts()
    {
        using var folder = new TempFolder();
        using var store = Stores.Open(folder);
        BatchJob job = Stores.Seed(store, "research", 10);
        int limited = 0;
        var events = new EventLog();
        RunOptions options = Fast();
        options.RetryLimit = 0; // a rate limit that counted as an attempt would fail the item
        var processor = DelegateProcessor.FromSync(item =>
            item.Key == "item-00004" && Interlocked.Increment(ref limited) <= 2
                ? ItemResult.Failure("Response status code does not indicate success: 429 (Too Many Requests).", "HttpResponseException")
                : ItemResult.Success());

        BatchRunSummary summary = await new BatchRunner(store, processor, options, events.Writer).RunAsync(job);

        Assert.Equal(10, summary.Succeeded);
        BatchItem item = store.GetItems(job, new ItemQuery { KeyPatterns = new[] { "item-00004" } }).Single();
        Assert.Equal(1, item.Attempts);
        Assert.Equal(2, store.GetErrors(job, 10).Count(e => e.ErrorType == RateLimitSignal.ErrorType));
        Assert.Equal(2, events.Drain().OfType<RunNoticeEvent>().Count(e => e.Kind == RunNoticeKind.RateLimited));
        Assert.Equal(2, store.GetRecentActivity(job, 0, 1).RateLimitEvents);
    }

    [Fact]
    public async Task Every_worker_honours_a_rate_limit_pause()
    {
        using var folder = new TempFolder();
        using var store = Stores.Open(folder);
        BatchJob job = Stores.Seed(store, "evaluate", 24);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var starts = new ConcurrentQueue<(int Seq, DateTimeOffset At)>();
        int seq = 0, limitedSeq = -1;
        DateTimeOffset limitedAt = default;
        RunOptions options = Fast(batchSize: 4, throttle: 4);
        options.RateLimitWait = TimeSpan.FromSeconds(30);
        var processor = DelegateProcessor.FromSync(item =>
        {
            int n = Interlocked.Increment(ref seq);
            starts.Enqueue((n, time.GetUtcNow()));
            if (item.Key == "item-00005" && Interlocked.CompareExchange(ref limitedSeq, n, -1) == -1)
            {
                limitedAt = time.GetUtcNow();
                return ItemResult.RateLimited("HTTP 429", retryAfter: null);
            }

            return ItemResult.Success();
        });

        Task<BatchRunSummary> run = new BatchRunner(store, processor, options, time).RunAsync(job);
        while (!run.IsCompleted)
        {
            await Task.WhenAny(run, Task.Delay(20));
            time.Advance(TimeSpan.FromSeconds(5));
        }

        BatchRunSummary summary = await run;
        Assert.Equal(24, summary.Succeeded);
        Assert.True(limitedSeq > 0);

        // Attempts that began after the rate limit (allowing for the ThrottleLimit workers that may have passed the gate
        // at that very moment) began only after the pause.
        var late = starts.Where(s => s.Seq > limitedSeq + options.ThrottleLimit).ToList();
        Assert.NotEmpty(late);
        Assert.All(late, s => Assert.True(s.At >= limitedAt + TimeSpan.FromSeconds(30), $"attempt {s.Seq} began at +{(s.At - limitedAt).TotalSeconds} s, inside the 30 s pause"));
    }

    [Fact]
    public async Task A_stop_during_a_long_rate_limit_pause_releases_the_waiting_items_at_once()
    {
        using var folder = new TempFolder();
        using var store = Stores.Open(folder);
        BatchJob job = Stores.Seed(store, "api", 10);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow); // never advanced: the pause would last for ever
        (BatchRunner runner, Task<BatchRunSummary> run) = await StartWithAnHourLongRateLimitAsync(store, job, time);
        runner.RequestStop();
        BatchRunSummary summary = await run.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(RunState.Stopped, summary.State);
        BatchJob after = store.GetJob("api");
        Assert.Equal(0, after.Running);
        Assert.Equal(10, after.Succeeded + after.Pending);
        BatchItem waiting = store.GetItems(after, new ItemQuery { KeyPatterns = new[] { "item-00002" } }).Single();
        Assert.Equal(ItemStatus.Pending, waiting.Status);
        Assert.Equal(0, waiting.Attempts);
        Stores.AssertCountersMatchItems(store, "api");
    }

    [Fact]
    public async Task A_suspend_during_a_long_rate_limit_pause_does_not_wait_for_its_end()
    {
        using var folder = new TempFolder();
        using var store = Stores.Open(folder);
        using var other = Stores.Open(folder);
        BatchJob job = Stores.Seed(store, "api", 3_000); // more than the run claims ahead, so it cannot drain while paused
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        (BatchRunner runner, Task<BatchRunSummary> run) = await StartWithAnHourLongRateLimitAsync(store, job, time);
        Assert.True(other.RequestSuspend(runner.RunId, true));

        // The run reads requests on its (fake) one-second tick; a minute of ticks is far less than the hour's pause.
        for (int tick = 0; tick < 60 && other.GetCheckpoint(other.GetJob("api"))!.Activity != RunActivity.Suspended; tick++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(run, Task.Delay(50));
        }

        Assert.Equal(RunActivity.Suspended, other.GetCheckpoint(other.GetJob("api"))!.Activity);
        BatchItem waiting = other.GetItems(other.GetJob("api"), new ItemQuery { KeyPatterns = new[] { "item-00002" } }).Single();
        Assert.Equal(ItemStatus.Pending, waiting.Status);
        Assert.Equal(0, waiting.Attempts);

        runner.RequestStop();
        BatchRunSummary summary = await run.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(RunState.Stopped, summary.State);
        Assert.Equal(StopReason.StopRequested, summary.StopReason);
        Stores.AssertCountersMatchItems(store, "api");
    }

    [Fact]
    public async Task The_circuit_breaker_stops_the_run_and_leaves_the_rest_pending()
    {
        using var folder = new TempFolder();
        using var store = Stores.Open(folder);
        BatchJob job = Stores.Seed(store, "broken", 200);
        var events = new EventLog();
        RunOptions options = Fast(batchSize: 5, throttle: 2);
        options.RetryLimit = 0;
        options.MaxFailureRatio = 0.5;
        options.FailureMinimumThroughput = 6;

        BatchRunSummary summary = await new BatchRunner(store, DelegateProcessor.FromSync(_ => ItemResult.Failure("HTTP 500: the API is down", "ServerError")), options, events.Writer).RunAsync(job);

        Assert.Equal(RunState.Stopped, summary.State);
        Assert.Equal(StopReason.CircuitBroken, summary.StopReason);
        Assert.Contains("attempts within 60 s failed", summary.Message); // why it stopped, in the summary and the checkpoint
        Assert.Equal(summary.Message, store.GetCheckpoint(store.GetJob("broken"))!.Message);
        BatchJob after = store.GetJob("broken");
        Assert.InRange(after.Failed, 6, 30);
        Assert.Equal(200 - after.Failed, after.Pending);
        Assert.Equal(0, after.Running);
        Assert.Contains(events.Drain().OfType<RunNoticeEvent>(), e => e.Kind == RunNoticeKind.CircuitOpened && e.Message.Contains("failure ratio limit 0.5"));
        Stores.AssertCountersMatchItems(store, "broken");
    }

    [Fact]
    public async Task A_continuous_run_sleeps_deeply_when_idle_and_wakes_when_items_are_added()
    {
        using var folder = new TempFolder();
        using var store = Stores.Open(folder);
        using var feeder = Stores.Open(folder);
        BatchJob job = Stores.Seed(store, "watch", 3);
        var processed = new ConcurrentDictionary<string, Stopwatch>();
        var added = new ConcurrentDictionary<string, Stopwatch>();
        var latencies = new ConcurrentBag<double>();
        var processor = new ReleasableProcessor(item =>
        {
            processed[item.Key] = Stopwatch.StartNew();
            if (added.TryGetValue(item.Key, out Stopwatch? since))
            {
                latencies.Add(since.Elapsed.TotalMilliseconds);
            }
        });
        int releases = 0;
        RunOptions options = Fast();
        options.Continuous = true;
        options.DeepSleepAfter = TimeSpan.Zero;
        options.MaxPollInterval = TimeSpan.FromMilliseconds(200);
        var events = new EventLog();
        var runner = new BatchRunner(store, processor, options, events.Writer)
        {
            WakeCheckInterval = TimeSpan.FromMilliseconds(20),
            ReleaseMemory = () =>
            {
                Interlocked.Increment(ref releases);
                return (0, 0);
            },
        };

        Task<BatchRunSummary> run = runner.RunAsync(job);
        await Processors.WaitUntil(() => feeder.GetCheckpoint(feeder.GetJob("watch"))?.Activity == RunActivity.DeepSleep, "deep sleep");
        Assert.Equal(3, processed.Count);
        Assert.Equal(1, processor.Releases);

        for (int round = 0; round < 3; round++)
        {
            string key = "late-" + round;
            added[key] = Stopwatch.StartNew();
            feeder.Enqueue(feeder.GetJob("watch"), new[] { new NewItem(key) });
            await Processors.WaitUntil(() => processed.ContainsKey(key), "the new item to be processed");
            await Processors.WaitUntil(() => feeder.GetCheckpoint(feeder.GetJob("watch"))?.Activity == RunActivity.DeepSleep, "deep sleep again");
        }

        Assert.False(run.IsCompleted);
        feeder.RequestStop(runner.RunId);
        BatchRunSummary summary = await run;

        Assert.Equal(RunState.Stopped, summary.State);
        Assert.Equal(StopReason.StopRequested, summary.StopReason);
        Assert.Equal(6, summary.Succeeded);
        Assert.Equal(4, processor.Releases);
        Assert.True(releases >= 4);
        List<RunNoticeKind> notices = events.Drain().OfType<RunNoticeEvent>().Select(e => e.Kind).ToList();
        Assert.Equal(3, notices.Count(k => k == RunNoticeKind.Woke));
        _output.WriteLine("wake latencies (ms, check interval 20 ms): " + string.Join(", ", latencies.Select(l => l.ToString("0"))));
    }

    [Fact]
    public async Task Suspend_finishes_what_is_in_flight_sleeps_and_resume_carries_on()
    {
        using var folder = new TempFolder();
        using var store = Stores.Open(folder);
        using var other = Stores.Open(folder);
        BatchJob job = Stores.Seed(store, "slow", 40);
        BatchRunner? runner = null;
        bool suspendAccepted = false;
        var processor = new ReleasableProcessor(item =>
        {
            if (string.CompareOrdinal(item.Key, "item-00003") < 0)
            {
                Thread.Sleep(30); // work that takes a while, so that the run does not prefetch the whole job at once
            }

            if (item.Key == "item-00003")
            {
                suspendAccepted = other.RequestSuspend(runner!.RunId, true); // as Suspend-BatchRun from another window
            }

            // Items claimed meanwhile finish only once the run has seen the request, so that the job cannot drain first.
            if (string.CompareOrdinal(item.Key, "item-00003") > 0)
            {
                Processors.WaitUntil(() => runner!.SuspendRequestSeen || !other.GetCheckpoint(other.GetJob("slow"))!.SuspendRequested, "the run to see the request").GetAwaiter().GetResult();
            }
        });
        var events = new EventLog();
        runner = new BatchRunner(store, processor, Fast(batchSize: 2, throttle: 1), events.Writer) { WakeCheckInterval = TimeSpan.FromMilliseconds(20) };
        Task<BatchRunSummary> run = runner.RunAsync(job);

        await Processors.WaitUntil(() => other.GetCheckpoint(other.GetJob("slow"))?.Activity == RunActivity.Suspended, "the run to suspend");
        Assert.True(suspendAccepted);
        BatchJob asleep = other.GetJob("slow");
        Assert.Equal(0, asleep.Running); // nothing half-done while asleep
        Assert.True(asleep.Pending > 0);
        Assert.True(other.GetCheckpoint(asleep)!.SuspendRequested);
        Assert.Equal(1, processor.Releases);

        Assert.True(other.RequestSuspend(runner.RunId, false));
        BatchRunSummary summary = await run;

        Assert.Equal(RunState.Completed, summary.State);
        Assert.Equal(40, store.GetJob("slow").Succeeded);
        List<RunNoticeKind> notices = events.Drain().OfType<RunNoticeEvent>().Select(e => e.Kind).ToList();
        Assert.Equal(new[] { RunNoticeKind.Suspended, RunNoticeKind.Resumed }, notices);
    }

    [Fact]
    public async Task Backups_are_taken_first_and_every_N_batches_at_quiet_points_and_named_in_the_checkpoint()
    {
        using var folder = new TempFolder();
        using var store = Stores.Open(folder);
        BatchJob job = Stores.Seed(store, "embed", 30);
        string index = Path.Combine(folder.Path, "faiss_index.bin");
        string backups = Path.Combine(folder.Path, "backups");
        BackupFiles.WriteFaissFlat(index, 2, 0);
        long vectors = 0;
        int busyDuringBackup = 0;
        var writeLock = new object();
        var processor = DelegateProcessor.FromSync(item =>
        {
            if (Directory.Exists(backups) && Directory.EnumerateDirectories(backups, "*.partial").Any())
            {
                Interlocked.Increment(ref busyDuringBackup);
            }

            lock (writeLock)
            {
                BackupFiles.WriteFaissFlat(index, 2, ++vectors);
            }

            return ItemResult.Success();
        });
        RunOptions options = Fast(batchSize: 5, throttle: 3);
        options.Backup = new BackupRequest { Paths = new[] { index }, Destination = backups, Name = "docs" };
        options.BackupEvery = 2;
        options.BackupFirst = true;
        var events = new EventLog();

        BatchRunSummary summary = await new BatchRunner(store, processor, options, events.Writer).RunAsync(job);

        Assert.Equal(30, summary.Succeeded);
        Assert.Equal(0, busyDuringBackup);
        IReadOnlyList<VectorStoreBackup> sets = BackupCatalog.List(backups);
        // Before the first batch, then after batches 2, 4 and 6: each holds exactly the items finished by then.
        Assert.Equal(new long?[] { 0, 10, 20, 30 }, sets.Reverse().Select(s => s.ItemCount).ToArray());
        Assert.Equal(new[] { "RunStart", "RunInterval", "RunInterval", "RunInterval" }, sets.Reverse().Select(s => s.Reason).ToArray());
        Assert.All(sets, s => Assert.True(BackupCatalog.Test(s.Path).IsValid));
        BatchCheckpoint checkpoint = store.GetCheckpoint(store.GetJob("embed"))!;
        Assert.Equal(sets.First().Name, checkpoint.LastBackup);
        Assert.NotNull(checkpoint.LastBackupTime);
        Assert.Equal(sets.Count, events.Drain().OfType<RunNoticeEvent>().Count(e => e.Kind == RunNoticeKind.BackupCompleted));
    }

    [Fact]
    public async Task A_failed_first_backup_processes_nothing()
    {
        using var folder = new TempFolder();
        using var store = Stores.Open(folder);
        BatchJob job = Stores.Seed(store, "embed", 10);
        string blocker = Path.Combine(folder.Path, "not-a-folder");
        File.WriteAllText(blocker, "a file where the backup folder should be");
        int processed = 0;
        RunOptions options = Fast();
        options.Backup = new BackupRequest { Paths = new[] { Path.Combine(folder.Path, "missing.bin") }, Destination = blocker };
        options.BackupFirst = true;
        var runner = new BatchRunner(store, DelegateProcessor.FromSync(_ =>
        {
            Interlocked.Increment(ref processed);
            return ItemResult.Success();
        }), options);

        BatchRunSummary summary = await runner.RunAsync(job);

        Assert.Equal(RunState.Failed, summary.State);
        Assert.Equal(StopReason.BackupFailed, summary.StopReason);
        Assert.Equal(0, processed);
        Assert.Equal(10, store.GetJob("embed").Pending);
        Assert.Equal(ErrorIds.BackupFailed, Assert.IsType<BatchOpsException>(summary.Failure?.GetException()).ErrorId);
    }

    [Theory]
    [InlineData("MaxMemoryPercent")]
    [InlineData("MaxFailureRatio")]
    [InlineData("BackupEveryWithoutBackup")] // -BackupPath without a when is the cmdlet's to refuse (HealthCommandTests)
    public void Bad_health_and_backup_options_are_refused(string what)
    {
        var options = new RunOptions();
        string expected;
        switch (what)
        {
            case "MaxMemoryPercent":
                options.MaxMemoryPercent = 150;
                expected = ErrorIds.MaxMemoryPercentInvalid;
                break;
            case "MaxFailureRatio":
                options.MaxFailureRatio = 1.5;
                expected = ErrorIds.MaxFailureRatioInvalid;
                break;
            default:
                options.BackupEvery = 3;
                expected = ErrorIds.RunBackupInvalid;
                break;
        }

        Assert.Equal(expected, Assert.Throws<BatchOpsException>(() => options.Validate()).ErrorId);
    }

    /// <summary>Starts a run whose item-00002 meets a rate limit with a one-hour pause; returns once it has.</summary>
    private static async Task<(BatchRunner Runner, Task<BatchRunSummary> Run)> StartWithAnHourLongRateLimitAsync(IJobStore store, BatchJob job, TimeProvider time)
    {
        var limited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        RunOptions options = Fast(batchSize: 5, throttle: 2);
        options.RateLimitWait = TimeSpan.FromHours(1);
        options.MaxRetryDelay = TimeSpan.FromHours(1);
        var runner = new BatchRunner(store, DelegateProcessor.FromSync(item =>
        {
            if (item.Key == "item-00002")
            {
                limited.TrySetResult();
                return ItemResult.RateLimited("HTTP 429");
            }

            return ItemResult.Success();
        }), options, time);

        Task<BatchRunSummary> run = runner.RunAsync(job);
        await limited.Task.WaitAsync(TimeSpan.FromSeconds(60));
        return (runner, run);
    }

    /// <summary>A processor that counts how often a sleeping run asked it to let go of its resources.</summary>
    private sealed class ReleasableProcessor : IItemProcessor, IReleasableProcessor
    {
        private readonly Action<ItemContext> _work;
        private int _releases;

        public ReleasableProcessor(Action<ItemContext> work) => _work = work;

        public int Releases => Volatile.Read(ref _releases);

        public Task<ItemResult> ProcessAsync(ItemContext item, CancellationToken cancellationToken)
        {
            _work(item);
            return Task.FromResult(ItemResult.Success());
        }

        public void ReleaseResources() => Interlocked.Increment(ref _releases);
    }
}
