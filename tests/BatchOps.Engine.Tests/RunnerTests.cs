using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;
using Microsoft.Extensions.Time.Testing;
using Xunit;
using BatchOps.Engine.Platform;
using BatchOps.Engine.Errors;
using BatchOps.Engine.Input;

namespace BatchOps.Engine.Tests;

public class RunnerTests
{
    /// <summary>Options without retry delays, for tests that must not wait.</summary>
    internal static RunOptions Fast(int batchSize = 5, int throttle = 5) => new RunOptions
    {
        BatchSize = batchSize,
        ThrottleLimit = throttle,
        RetryDelay = TimeSpan.Zero,
        MaxRetryDelay = TimeSpan.Zero,
    };

    [Theory, SqliteStore, PostgresStore]
    public async Task A_run_processes_every_item_once_and_completes(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "embed", 103);
        var seen = new ConcurrentDictionary<string, int>();
        var processor = DelegateProcessor.FromSync(item =>
        {
            seen.AddOrUpdate(item.Key, 1, (_, n) => n + 1);
            return ItemResult.Success("vector for " + item.Key);
        });

        BatchRunSummary summary = await new BatchRunner(store, processor, Fast()).RunAsync(job);

        Assert.Equal(RunState.Completed, summary.State);
        Assert.Equal(StopReason.Drained, summary.StopReason);
        Assert.Equal(103, summary.Succeeded);
        Assert.Equal(0, summary.Remaining);
        Assert.Equal(21, summary.Batches); // 20 batches of 5 and one of 3
        Assert.Equal(103, seen.Count);
        Assert.All(seen.Values, n => Assert.Equal(1, n));
        BatchItem first = store.GetItems(job, new ItemQuery { First = 1 }).Single();
        Assert.Equal("vector for item-00000", first.Result);
        Assert.Equal(1, first.Attempts);
        Assert.Equal(ItemStatus.Succeeded, first.Status);
        Stores.AssertCountersMatchItems(store, "embed");
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task The_processor_gets_the_stored_payload(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "embed", 3);
        var payloads = new ConcurrentBag<string>();
        var processor = DelegateProcessor.FromSync(item =>
        {
            payloads.Add(PayloadJson.ToText(item.Payload));
            return ItemResult.Success();
        });

        await new BatchRunner(store, processor, Fast()).RunAsync(job);

        Assert.Equal(new[] { "payload 0", "payload 1", "payload 2" }, payloads.OrderBy(p => p));
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task The_checkpoint_is_written_after_every_batch(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "topics", 20);
        var events = new EventLog();

        BatchRunSummary summary = await new BatchRunner(store, Processors.Succeed(), Fast(batchSize: 4, throttle: 2), events.Writer).RunAsync(job);

        BatchCheckpoint checkpoint = store.GetCheckpoint(store.GetJob("topics"))!;
        Assert.Equal(summary.RunId, checkpoint.RunId);
        Assert.Equal(RunState.Completed, checkpoint.State);
        Assert.Equal(5, checkpoint.BatchesCompleted);
        Assert.Equal(5, checkpoint.CurrentBatch);
        Assert.Equal(20, checkpoint.Completed);
        Assert.Equal(20, checkpoint.Total);
        Assert.Equal(0, checkpoint.Remaining);
        Assert.Equal(20, checkpoint.RunSucceeded);
        Assert.NotNull(checkpoint.Ended);
        Assert.Contains("\"BatchSize\":4", checkpoint.Options);

        List<BatchCompletedEvent> batches = events.Drain().OfType<BatchCompletedEvent>().ToList();
        Assert.Equal(new long[] { 1, 2, 3, 4, 5 }, batches.Select(b => b.Number).OrderBy(n => n));
        Assert.All(batches, b => Assert.Equal(4, b.Succeeded));
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task A_run_stopped_halfway_resumes_and_every_item_succeeds_exactly_once(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "chunks", 60);
        var executions = new ConcurrentDictionary<string, int>();
        using var cancel = new CancellationTokenSource();
        int started = 0;
        bool stopping = true;
        var processor = new DelegateProcessor(async (item, token) =>
        {
            executions.AddOrUpdate(item.Key, 1, (_, c) => c + 1);
            int n = Interlocked.Increment(ref started); // (the dictionary's Count can step over 25 when workers add at once)
            if (n == 25)
            {
                cancel.Cancel(); // Ctrl+C in the middle of a batch
            }
            else if (n > 25 && Volatile.Read(ref stopping))
            {
                // Started before the stop reached the workers: in flight, so cancelled and released. (A no-op item
                // that returned at once could let the run finish every item before it saw the stop.)
                await Task.Delay(Timeout.Infinite, token);
            }

            return ItemResult.Success();
        });

        BatchRunSummary first = await new BatchRunner(store, processor, Fast(batchSize: 5, throttle: 3)).RunAsync(job, cancel.Token);
        Assert.Equal(RunState.Stopped, first.State);
        Assert.Equal(StopReason.Cancelled, first.StopReason);
        Assert.True(first.Remaining > 0);
        BatchJob halfway = store.GetJob("chunks");
        Assert.Equal(0, halfway.Running); // nothing left leased: released items are pending again
        Stores.AssertCountersMatchItems(store, "chunks");

        Volatile.Write(ref stopping, false);
        BatchRunSummary second = await new BatchRunner(store, processor, Fast(batchSize: 5, throttle: 3)).RunAsync(store.GetJob("chunks"));

        Assert.Equal(RunState.Completed, second.State);
        Assert.Equal(60, first.Succeeded + second.Succeeded);
        BatchJob done = store.GetJob("chunks");
        Assert.Equal(60, done.Succeeded);
        Assert.All(store.GetItems(done, new ItemQuery()), i => Assert.Equal(ItemStatus.Succeeded, i.Status));
        Stores.AssertCountersMatchItems(store, "chunks");
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Cancelled_items_go_back_to_pending_without_an_attempt_held_against_them(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "slow", 4);
        using var cancel = new CancellationTokenSource();
        int started = 0;
        var processor = new DelegateProcessor(async (item, token) =>
        {
            if (Interlocked.Increment(ref started) == 2)
            {
                cancel.Cancel();
            }

            await Task.Delay(Timeout.Infinite, token); // honours cancellation
            return ItemResult.Success();
        });

        BatchRunSummary summary = await new BatchRunner(store, processor, Fast(batchSize: 2, throttle: 2)).RunAsync(job, cancel.Token);

        Assert.Equal(RunState.Stopped, summary.State);
        Assert.Equal(0, summary.Succeeded);
        Assert.All(store.GetItems(store.GetJob("slow"), new ItemQuery()), i =>
        {
            Assert.Equal(ItemStatus.Pending, i.Status);
            Assert.Equal(0, i.Attempts);
        });
        Stores.AssertCountersMatchItems(store, "slow");
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task A_failing_item_is_retried_with_backoff_until_it_succeeds(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "flaky", 1);
        int calls = 0;
        var attemptsSeen = new List<int>();
        var processor = DelegateProcessor.FromSync(item =>
        {
            attemptsSeen.Add(item.Attempt);
            return ++calls < 3 ? ItemResult.Failure("HTTP 503 from the API", "Http") : ItemResult.Success("third time lucky");
        });
        var events = new EventLog();

        BatchRunSummary summary = await new BatchRunner(store, processor, Fast(), events.Writer).RunAsync(job);

        Assert.Equal(1, summary.Succeeded);
        Assert.Equal(new[] { 1, 2, 3 }, attemptsSeen);
        BatchItem item = store.GetItems(store.GetJob("flaky"), new ItemQuery()).Single();
        Assert.Equal(3, item.Attempts);
        Assert.Null(item.LastError);
        Assert.Equal(2, events.Drain().OfType<ItemRetryingEvent>().Count());
        IReadOnlyList<ErrorEntry> errors = store.GetErrors(store.GetJob("flaky"), 10);
        Assert.Equal(new[] { 2, 1 }, errors.Select(e => e.Attempt)); // newest first
        Assert.All(errors, e => Assert.Equal("HTTP 503 from the API", e.Message));
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task An_item_that_keeps_failing_fails_after_the_retry_limit_and_the_run_goes_on(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "mixed", 10);
        var processor = DelegateProcessor.FromSync(item =>
            item.Key == "item-00003" ? throw new InvalidOperationException("chunk 3 is corrupt") : ItemResult.Success());
        var options = Fast();
        options.RetryLimit = 2;
        var events = new EventLog();

        BatchRunSummary summary = await new BatchRunner(store, processor, options, events.Writer).RunAsync(job);

        Assert.Equal(RunState.Completed, summary.State);
        Assert.Equal(9, summary.Succeeded);
        Assert.Equal(1, summary.Failed);
        BatchItem bad = store.GetItems(store.GetJob("mixed"), new ItemQuery { Status = ItemStatus.Failed }).Single();
        Assert.Equal("item-00003", bad.Key);
        Assert.Equal(3, bad.Attempts);
        Assert.Equal("chunk 3 is corrupt", bad.LastError);
        ItemFailedEvent failed = events.Drain().OfType<ItemFailedEvent>().Single();
        Assert.Equal("InvalidOperationException", failed.ErrorType);
        Assert.Equal(3, failed.Attempts);
        Assert.Equal(3, store.GetErrors(store.GetJob("mixed"), 10).Count);
        Stores.AssertCountersMatchItems(store, "mixed");
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Attempts_made_by_an_earlier_run_count_against_the_retry_limit(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "persist", 1);
        using var cancel = new CancellationTokenSource();
        var firstRun = new DelegateProcessor(async (item, token) =>
        {
            if (item.Attempt < 3)
            {
                return ItemResult.Failure("timeout from the API");
            }

            cancel.Cancel(); // stop the run during the third attempt
            await Task.Delay(Timeout.Infinite, token);
            return ItemResult.Success();
        });

        var options = Fast();
        options.RetryLimit = 10;
        await new BatchRunner(store, firstRun, options).RunAsync(job, cancel.Token);
        BatchItem afterFirst = store.GetItems(store.GetJob("persist"), new ItemQuery()).Single();
        Assert.Equal(ItemStatus.Pending, afterFirst.Status);
        Assert.Equal(2, afterFirst.Attempts); // two failures kept; the interrupted third given back

        var attempts = new List<int>();
        var secondRun = DelegateProcessor.FromSync(item =>
        {
            attempts.Add(item.Attempt);
            return ItemResult.Failure("still failing");
        });
        options = Fast();
        options.RetryLimit = 3; // at most 4 attempts in all, 2 already made
        BatchRunSummary summary = await new BatchRunner(store, secondRun, options).RunAsync(store.GetJob("persist"));

        Assert.Equal(new[] { 3, 4 }, attempts);
        Assert.Equal(1, summary.Failed);
        Assert.Equal(4, store.GetItems(store.GetJob("persist"), new ItemQuery()).Single().Attempts);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task An_attempt_longer_than_the_item_timeout_is_cancelled_and_fails(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "hang", 2);
        var processor = new DelegateProcessor(async (item, token) =>
        {
            if (item.Key == "item-00001")
            {
                await Task.Delay(Timeout.Infinite, token); // hangs until cancelled
            }

            return ItemResult.Success();
        });
        var options = Fast();
        options.RetryLimit = 1;
        options.ItemTimeout = TimeSpan.FromMilliseconds(50);

        BatchRunSummary summary = await new BatchRunner(store, processor, options).RunAsync(job);

        Assert.Equal(1, summary.Succeeded);
        Assert.Equal(1, summary.Failed);
        BatchItem hung = store.GetItems(store.GetJob("hang"), new ItemQuery { Status = ItemStatus.Failed }).Single();
        Assert.Equal(2, hung.Attempts);
        Assert.StartsWith("Timed out after 0.05 s", hung.LastError);
        Assert.Equal("Timeout", store.GetErrors(store.GetJob("hang"), 1).Single().ErrorType);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task A_target_percent_stops_the_run_when_that_share_of_the_job_has_succeeded(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "to50", 100);
        var options = Fast(batchSize: 10, throttle: 4);
        options.TargetPercent = 50;

        BatchRunSummary summary = await new BatchRunner(store, Processors.Succeed(), options).RunAsync(job);

        Assert.Equal(RunState.Completed, summary.State);
        Assert.Equal(StopReason.TargetReached, summary.StopReason);
        Assert.Equal(50, summary.Succeeded);
        Assert.Equal(50.0, summary.PercentComplete);
        Assert.Equal(50, store.GetJob("to50").Pending);
        Stores.AssertCountersMatchItems(store, "to50");
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task A_target_percent_claims_more_items_when_some_fail(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "to75", 20);
        var options = Fast(batchSize: 5, throttle: 2);
        options.TargetPercent = 75;
        options.RetryLimit = 0;
        var processor = DelegateProcessor.FromSync(item =>
            item.Key.EndsWith("0") ? ItemResult.Failure("bad") : ItemResult.Success()); // item-00000 and item-00010 fail

        BatchRunSummary summary = await new BatchRunner(store, processor, options).RunAsync(job);

        Assert.Equal(StopReason.TargetReached, summary.StopReason);
        Assert.Equal(15, summary.Succeeded);
        Assert.Equal(2, summary.Failed);
        Assert.Equal(3, store.GetJob("to75").Pending);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task A_job_already_past_its_target_runs_nothing(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "done", 10);
        await new BatchRunner(store, Processors.Succeed(), Fast()).RunAsync(job);
        int calls = 0;
        var options = Fast();
        options.TargetPercent = 50;

        BatchRunSummary summary = await new BatchRunner(store, DelegateProcessor.FromSync(_ => { calls++; return ItemResult.Success(); }), options).RunAsync(store.GetJob("done"));

        Assert.Equal(StopReason.TargetReached, summary.StopReason);
        Assert.Equal(0, calls);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Max_items_processes_exactly_that_many(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "ten", 100);
        var options = Fast(batchSize: 3, throttle: 4);
        options.MaxItems = 10;

        BatchRunSummary summary = await new BatchRunner(store, Processors.Succeed(), options).RunAsync(job);

        Assert.Equal(StopReason.MaxItemsReached, summary.StopReason);
        Assert.Equal(RunState.Completed, summary.State);
        Assert.Equal(10, summary.Succeeded);
        Assert.Equal(90, store.GetJob("ten").Pending);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Max_duration_stops_claiming_finishes_what_is_in_flight_and_releases_the_rest(Backend backend)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var test = TestStore.Create(backend, time);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "timed", 20);
        var inFlight = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int started = 0;
        var processor = new DelegateProcessor(async (item, token) =>
        {
            if (Interlocked.Increment(ref started) == 1)
            {
                inFlight.SetResult();
                await release.Task;
            }

            return ItemResult.Success();
        });
        var options = Fast(batchSize: 5, throttle: 1);
        options.MaxDuration = TimeSpan.FromMinutes(30);

        Task<BatchRunSummary> run = new BatchRunner(store, processor, options, time: time).RunAsync(job);
        await inFlight.Task;
        time.Advance(TimeSpan.FromMinutes(31));
        release.SetResult();
        BatchRunSummary summary = await run;

        Assert.Equal(RunState.Stopped, summary.State);
        Assert.Equal(StopReason.MaxDurationReached, summary.StopReason);
        Assert.Equal(1, summary.Succeeded); // the item in flight finished
        BatchJob after = store.GetJob("timed");
        Assert.Equal(19, after.Pending);
        Assert.Equal(0, after.Running);
        Assert.All(store.GetItems(after, new ItemQuery { Status = ItemStatus.Pending }), i => Assert.Equal(0, i.Attempts));
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task A_stop_requested_through_the_store_ends_the_run_at_the_next_heartbeat(Backend backend)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var test = TestStore.Create(backend, time);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "remote-stop", 10);
        var inFlight = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var processor = new DelegateProcessor(async (item, token) =>
        {
            inFlight.TrySetResult();
            await release.Task;
            return ItemResult.Success();
        });
        var options = Fast(batchSize: 2, throttle: 1);
        var runner = new BatchRunner(store, processor, options, time: time);

        Task<BatchRunSummary> run = runner.RunAsync(job);
        await inFlight.Task;
        Assert.True(store.RequestStop(runner.RunId)); // what Stop-BatchRun does from another process
        long startedHeartbeat = store.GetActiveRuns(job.Id).Single().HeartbeatMs;
        // Move the clock on in small steps until the heartbeat (every 30 s here) has renewed the leases; it may not
        // have started waiting yet when the first step is taken.
        await Processors.WaitUntil(() =>
        {
            time.Advance(TimeSpan.FromSeconds(10));
            return store.GetActiveRuns(job.Id).SingleOrDefault()?.HeartbeatMs is not long beat || beat > startedHeartbeat;
        }, "the heartbeat");
        release.SetResult();
        BatchRunSummary summary = await run;

        Assert.Equal(RunState.Stopped, summary.State);
        Assert.Equal(StopReason.StopRequested, summary.StopReason);
        Assert.True(summary.Succeeded <= 2);
        Assert.Equal(0, store.GetJob("remote-stop").Running);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task With_a_batch_delay_each_batch_finishes_before_the_next_one_starts(Backend backend)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var test = TestStore.Create(backend, time);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "paced", 9);
        var order = new ConcurrentQueue<string>();
        var processor = DelegateProcessor.FromSync(item =>
        {
            order.Enqueue(item.Key);
            return ItemResult.Success();
        });
        var options = Fast(batchSize: 3, throttle: 3);
        options.BatchDelay = TimeSpan.FromSeconds(2);
        var events = new EventLog();

        Task<BatchRunSummary> run = new BatchRunner(store, processor, options, time, events.Writer).RunAsync(job);
        for (int batch = 1; batch <= 3; batch++)
        {
            await Processors.WaitUntil(() => store.GetJob("paced").Succeeded == batch * 3, "batch " + batch);
            Assert.Equal(batch * 3, order.Count); // nothing of the next batch has started: the delay holds it
            time.Advance(options.BatchDelay);
        }

        BatchRunSummary summary = await run;
        Assert.Equal(9, summary.Succeeded);
        Assert.Equal(3, summary.Batches);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task The_rate_limit_gates_how_many_items_start(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "api", 9);
        var limiter = new System.Threading.RateLimiting.TokenBucketRateLimiter(new System.Threading.RateLimiting.TokenBucketRateLimiterOptions
        {
            TokenLimit = 3,
            TokensPerPeriod = 3,
            ReplenishmentPeriod = TimeSpan.FromTicks(1), // manual TryReplenish honours the period: keep it tiny
            AutoReplenishment = false, // the test refills by hand
            QueueLimit = 100,
        });
        int granted = 3, started = 0, overruns = 0;
        var processor = DelegateProcessor.FromSync(item =>
        {
            if (Interlocked.Increment(ref started) > Volatile.Read(ref granted))
            {
                Interlocked.Increment(ref overruns);
            }

            return ItemResult.Success();
        });
        var options = Fast(batchSize: 3, throttle: 3);
        options.RateLimit = 1; // replaced by the manual limiter below
        var runner = new BatchRunner(store, processor, options) { RateLimiterFactory = () => limiter };

        Task<BatchRunSummary> run = runner.RunAsync(job);
        for (int round = 1; round < 3; round++)
        {
            await Processors.WaitUntil(() => Volatile.Read(ref started) == round * 3 && limiter.GetStatistics()!.CurrentQueuedCount > 0, "workers waiting for permits");
            Assert.Equal(round * 3, Volatile.Read(ref started));
            Interlocked.Add(ref granted, 3);
            limiter.TryReplenish();
        }

        BatchRunSummary summary = await run;
        Assert.Equal(9, summary.Succeeded);
        Assert.Equal(0, overruns);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task An_item_whose_lease_was_taken_over_is_not_recorded_twice(Backend backend)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var test = TestStore.Create(backend, time);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "lease", 1);
        long slowRun = store.StartRun(job.Id, new RunStart { Host = "elsewhere", ProcessId = 1 });
        ClaimedItem slow = store.Claim(job.Id, slowRun, 1, store.NowMs() + 1_000, 4).Items.Single();

        time.Advance(TimeSpan.FromSeconds(2)); // the slow run's lease runs out
        long fastRun = store.StartRun(job.Id, new RunStart { Host = "here", ProcessId = 2 });
        ClaimedItem fast = store.Claim(job.Id, fastRun, 1, store.NowMs() + 60_000, 4).Items.Single();
        Assert.Equal(slow.Id, fast.Id);
        Assert.Equal(2, fast.Attempts);
        Assert.Equal(1, store.GetJob("lease").Running); // still one running item, not two

        var stale = new RunCommit { JobId = job.Id, RunId = slowRun };
        stale.Outcomes.Add(new ItemOutcome { ItemId = slow.Id, LeaseToken = slow.LeaseToken, Key = slow.Key, Kind = OutcomeKind.Succeeded });
        Assert.False(store.Commit(stale).Accepted.Single());

        var current = new RunCommit { JobId = job.Id, RunId = fastRun };
        current.Outcomes.Add(new ItemOutcome { ItemId = fast.Id, LeaseToken = fast.LeaseToken, Key = fast.Key, Kind = OutcomeKind.Succeeded });
        Assert.True(store.Commit(current).Accepted.Single());

        BatchJob after = store.GetJob("lease");
        Assert.Equal(1, after.Succeeded);
        Assert.Equal(0, after.Running);
        Stores.AssertCountersMatchItems(store, "lease");
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task A_run_whose_process_died_is_marked_crashed_and_its_items_return_at_once(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "crash", 6);
        RunHost self = RunHost.Current;
        // A run of this machine whose process no longer exists (a pid far above any pid_max).
        long dead = store.StartRun(job.Id, new RunStart { Host = self.Machine, ProcessId = 99_999_999, ProcessStartedMs = 1 });
        store.Claim(job.Id, dead, 4, store.NowMs() + (long)TimeSpan.FromHours(1).TotalMilliseconds, 4);
        var events = new EventLog();

        BatchRunSummary summary = await new BatchRunner(store, Processors.Succeed(), Fast(), events.Writer).RunAsync(store.GetJob("crash"));

        Assert.Equal(6, summary.Succeeded); // the leased four did not wait an hour for their leases
        RunsRecoveredEvent recovered = events.Drain().OfType<RunsRecoveredEvent>().Single();
        Assert.Equal(4, recovered.ItemsReturned);
        Assert.Empty(store.GetActiveRuns(job.Id));
        Assert.All(store.GetItems(store.GetJob("crash"), new ItemQuery()).Where(i => i.Key.CompareTo("item-00004") < 0), i => Assert.Equal(2, i.Attempts));
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task An_item_that_killed_every_run_that_started_it_is_failed_instead_of_claimed(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "poison", 2);
        RunHost self = RunHost.Current;
        for (int crash = 0; crash < 4; crash++)
        {
            long dead = store.StartRun(job.Id, new RunStart { Host = self.Machine, ProcessId = 99_999_999, ProcessStartedMs = 1 });
            store.Claim(job.Id, dead, 1, store.NowMs() + 60_000, maxAttempts: 100);
            RunRecovery.RecoverDeadRuns(store, job.Id, self);
        }

        var events = new EventLog();
        int calls = 0;
        BatchRunSummary summary = await new BatchRunner(store, DelegateProcessor.FromSync(_ => { calls++; return ItemResult.Success(); }), Fast(), events.Writer).RunAsync(store.GetJob("poison"));

        Assert.Equal(1, calls); // only the healthy item ran
        Assert.Equal(1, summary.Failed);
        BatchItem poison = store.GetItems(store.GetJob("poison"), new ItemQuery { Status = ItemStatus.Failed }).Single();
        Assert.Equal("item-00000", poison.Key);
        Assert.Equal(4, poison.Attempts);
        Assert.Contains("killed or crashed", poison.LastError);
        Assert.Single(events.Drain().OfType<ItemFailedEvent>());
        Stores.AssertCountersMatchItems(store, "poison");
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task A_store_failure_during_a_run_ends_it_failed_with_the_reason(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "doomed", 10);
        var broken = new FailingCommitStore(store);
        var runner = new BatchRunner(broken, Processors.Succeed(), Fast());

        BatchRunSummary summary = await runner.RunAsync(job);

        Assert.Equal(RunState.Failed, summary.State);
        Assert.Equal(StopReason.Error, summary.StopReason);
        Assert.Contains("disk is full", summary.Message);
        Assert.IsType<BatchOpsException>(summary.Failure?.GetException());
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task A_runner_refuses_to_run_twice(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "once", 1);
        var runner = new BatchRunner(store, Processors.Succeed(), Fast());
        await runner.RunAsync(job);
        await Assert.ThrowsAsync<InvalidOperationException>(() => runner.RunAsync(job));
    }

    /// <summary>A store whose outcome writes fail, as when the disk fills up mid-run.</summary>
    private sealed class FailingCommitStore : IJobStore
    {
        private readonly IJobStore _inner;

        public FailingCommitStore(IJobStore inner) => _inner = inner;

        public string Location => _inner.Location;

        public CommitResult Commit(RunCommit commit) =>
            commit.Outcomes.Count > 0
                ? throw new BatchOpsException(ErrorIds.StoreError, BatchOpsErrorCategory.WriteError, "The disk is full.")
                : _inner.Commit(commit);

        public BatchJob? FindJob(string name) => _inner.FindJob(name);
        public BatchJob GetJob(string name) => _inner.GetJob(name);
        public BatchJob GetOrCreateJob(string name) => _inner.GetOrCreateJob(name);
        public IReadOnlyList<BatchJob> GetJobs() => _inner.GetJobs();
        public IReadOnlyList<BatchRun> GetRuns(BatchJob job, RunQuery query) => _inner.GetRuns(job, query);
        public IReadOnlyList<long> RemoveRuns(BatchJob job, IReadOnlyList<long> runIds) => _inner.RemoveRuns(job, runIds);
        public EnqueueResult Enqueue(BatchJob job, IReadOnlyList<NewItem> items) => _inner.Enqueue(job, items);
        public bool RemoveJob(BatchJob job) => _inner.RemoveJob(job);
        public long ClearJob(BatchJob job) => _inner.ClearJob(job);
        public ResetResult ResetItems(BatchJob job, IReadOnlyList<string> keys) => _inner.ResetItems(job, keys);
        public long ResetItems(BatchJob job, ItemStatus status) => _inner.ResetItems(job, status);
        public IReadOnlyList<BatchItem> GetItems(BatchJob job, ItemQuery query) => _inner.GetItems(job, query);
        public IReadOnlyList<ErrorEntry> GetErrors(BatchJob job, int last) => _inner.GetErrors(job, last);

        public IReadOnlyList<FinishedBatch> GetFinishedBatches(BatchJob job, long? runId, long? batch, ItemStatus? status = null) => _inner.GetFinishedBatches(job, runId, batch, status);

        public long ReturnFinishedToPending(BatchJob job, long afterMs, long beforeMs) => _inner.ReturnFinishedToPending(job, afterMs, beforeMs);
        public BatchCheckpoint? GetCheckpoint(BatchJob job) => _inner.GetCheckpoint(job);
        public IReadOnlyList<RunRecord> GetActiveRuns(long jobId) => _inner.GetActiveRuns(jobId);
        public long AbandonRuns(long jobId, IReadOnlyList<long> runIds, string message) => _inner.AbandonRuns(jobId, runIds, message);
        public long StartRun(long jobId, RunStart start) => _inner.StartRun(jobId, start);
        public ClaimResult Claim(long jobId, long runId, int count, long leaseExpiresMs, int maxAttempts, bool includeExpired = true, IReadOnlyCollection<string>? onlyKeys = null) => _inner.Claim(jobId, runId, count, leaseExpiresMs, maxAttempts, includeExpired, onlyKeys);
        public bool RenewLeases(long jobId, long runId, long leaseExpiresMs) => _inner.RenewLeases(jobId, runId, leaseExpiresMs);
        public bool RequestStop(long runId) => _inner.RequestStop(runId);
        public bool RequestSuspend(long runId, bool suspend) => _inner.RequestSuspend(runId, suspend);
        public RunSignals ReadSignals(long runId) => _inner.ReadSignals(runId);
        public void SetRunActivity(long runId, RunActivity activity, string? reason) => _inner.SetRunActivity(runId, activity, reason);
        public void RecordRunBackup(long runId, string backupName) => _inner.RecordRunBackup(runId, backupName);
        public JobActivity GetRecentActivity(BatchJob job, long sinceMs, int minItems) => _inner.GetRecentActivity(job, sinceMs, minItems);
        public VectorStoreReading? GetVectorStoreBaseline(BatchJob job, IReadOnlyList<string> paths) => _inner.GetVectorStoreBaseline(job, paths);
        public void KeepVectorStoreBaseline(BatchJob job, VectorStoreReading reading) => _inner.KeepVectorStoreBaseline(job, reading);
        public void ForgetVectorStoreBaselines(BatchJob job) => _inner.ForgetVectorStoreBaselines(job);
        public long NowMs() => _inner.NowMs();
        public void Dispose() => _inner.Dispose();
    }
}
