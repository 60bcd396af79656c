using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Reporting;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;
using Microsoft.Extensions.Time.Testing;
using Xunit;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Tests;

public class JobConditionTests
{
    private static BatchJob Job(long total, long pending, long running, long succeeded, long failed) =>
        new BatchJob { Name = "j", Total = total, Pending = pending, Running = running, Succeeded = succeeded, Failed = failed };

    [Fact]
    public void No_condition_means_complete()
    {
        var condition = new JobCondition();
        Assert.False(condition.IsMet(Job(10, 1, 0, 9, 0)));
        Assert.True(condition.IsMet(Job(10, 0, 0, 9, 1)));
    }

    [Fact]
    public void Every_condition_given_must_hold()
    {
        var condition = new JobCondition { Complete = true, NoFailures = true };
        Assert.False(condition.IsMet(Job(10, 0, 0, 9, 1)));
        Assert.True(condition.IsMet(Job(10, 0, 0, 10, 0)));
    }

    [Fact]
    public void The_target_compares_the_unrounded_share()
    {
        var condition = new JobCondition { TargetPercent = 50 };
        Assert.False(condition.IsMet(Job(10_000, 5_004, 0, 4_996, 0))); // 49.96% rounds to 50.0 but is short
        Assert.True(condition.IsMet(Job(10_000, 5_000, 0, 5_000, 0)));
        Assert.False(condition.IsMet(Job(0, 0, 0, 0, 0)));
    }

    [Fact]
    public void A_finished_job_that_missed_the_condition_says_why()
    {
        Assert.Null(new JobCondition { TargetPercent = 50 }.Unreachable(Job(10, 1, 0, 4, 5)));
        string? why = new JobCondition { TargetPercent = 50, NoFailures = true }.Unreachable(Job(10, 0, 0, 4, 6));
        Assert.Contains("6 item(s) failed", why);
        Assert.Contains("40.0%", why);
    }

    [Fact]
    public void A_finished_job_just_short_of_the_target_is_unreachable_even_where_its_share_rounds_up()
    {
        // 1,000 of 2,001 succeeded, nothing left: 49.975% rounds to 50.0%, but the target can never be reached.
        string? why = new JobCondition { TargetPercent = 50 }.Unreachable(Job(2_001, 0, 0, 1_000, 1_001));
        Assert.NotNull(why);
        Assert.Contains("49.975% succeeded, short of 50%", why);
    }

    [Fact]
    public void A_bad_target_is_refused()
    {
        var e = Assert.Throws<BatchOpsException>(() => new JobCondition { TargetPercent = 101 }.Validate());
        Assert.Equal(ErrorIds.TargetPercentInvalid, e.ErrorId);
    }
}

public class JobWaiterTests
{
    [Theory, SqliteStore, PostgresStore]
    public async Task Waiting_returns_when_the_target_is_reached(Backend backend)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var test = TestStore.Create(backend, time);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "w", 4);
        int polls = 0;
        var waiter = new JobWaiter(store, time) { PollInterval = TimeSpan.FromSeconds(5) };

        Task<BatchJob> wait = waiter.WaitAsync("w", new JobCondition { TargetPercent = 50 }, null, _ => Interlocked.Increment(ref polls), CancellationToken.None);
        await Processors.WaitUntil(() => Volatile.Read(ref polls) == 1, "the first poll");
        Assert.False(wait.IsCompleted);

        await new BatchRunner(store, Processors.Succeed(), new RunOptions { MaxItems = 2 }).RunAsync(job);
        await Processors.WaitUntil(() =>
        {
            time.Advance(TimeSpan.FromSeconds(5));
            return wait.IsCompleted;
        }, "the wait to end");

        BatchJob reached = await wait;
        Assert.Equal(2, reached.Succeeded);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Waiting_times_out_with_where_the_job_stands(Backend backend)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var test = TestStore.Create(backend, time);
        IJobStore store = test.Store;
        Stores.Seed(store, "slow", 4);
        var waiter = new JobWaiter(store, time) { PollInterval = TimeSpan.FromSeconds(10) };

        Task<BatchJob> wait = waiter.WaitAsync("slow", new JobCondition(), TimeSpan.FromSeconds(30), null, CancellationToken.None);
        await Processors.WaitUntil(() =>
        {
            time.Advance(TimeSpan.FromSeconds(10));
            return wait.IsCompleted;
        }, "the timeout");

        var e = await Assert.ThrowsAsync<BatchOpsException>(() => wait);
        Assert.Equal(ErrorIds.WaitTimedOut, e.ErrorId);
        Assert.Contains("0 of 4 succeeded", e.Message);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Waiting_times_out_at_the_deadline_not_a_poll_interval_after_it(Backend backend)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var test = TestStore.Create(backend, time);
        IJobStore store = test.Store;
        Stores.Seed(store, "idle", 2);
        var waiter = new JobWaiter(store, time) { PollInterval = TimeSpan.FromSeconds(10) };

        Task<BatchJob> wait = waiter.WaitAsync("idle", new JobCondition(), TimeSpan.FromSeconds(3), null, CancellationToken.None);
        await Processors.WaitUntil(() =>
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            return wait.IsCompleted;
        }, "the timeout");

        Assert.InRange(time.GetUtcNow() - time.Start, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3.5));
        var e = await Assert.ThrowsAsync<BatchOpsException>(() => wait);
        Assert.Equal(ErrorIds.WaitTimedOut, e.ErrorId);
        Assert.Contains("within 3.0 s", e.Message);
        Assert.Contains("No run is working on it now.", e.Message);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Waiting_for_a_target_a_finished_job_missed_ends_at_once(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "failing", 4);
        await new BatchRunner(store, DelegateProcessor.FromSync(_ => ItemResult.Failure("no")), new RunOptions { RetryLimit = 0 }).RunAsync(job);

        var e = await Assert.ThrowsAsync<BatchOpsException>(() => new JobWaiter(store).WaitAsync("failing", new JobCondition { TargetPercent = 50 }, null, null, CancellationToken.None));
        Assert.Equal(ErrorIds.JobTargetUnreachable, e.ErrorId);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task A_stop_asked_through_the_store_is_seen_within_a_second_of_run_time(Backend backend)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var test = TestStore.Create(backend, time);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "stop-me", 10);
        var inFlight = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var runner = new BatchRunner(store, new DelegateProcessor(async (item, token) =>
        {
            inFlight.TrySetResult();
            await release.Task;
            return ItemResult.Success();
        }), new RunOptions { BatchSize = 1, ThrottleLimit = 1 }, time: time);

        Task<BatchRunSummary> run = runner.RunAsync(job);
        await inFlight.Task;
        store.RequestStop(runner.RunId);
        await Processors.WaitUntil(() =>
        {
            time.Advance(TimeSpan.FromMilliseconds(500)); // well under the 30 s lease renewal
            return runner.StopRequested;
        }, "the stop to be seen");
        release.SetResult();

        BatchRunSummary summary = await run;
        Assert.Equal(StopReason.StopRequested, summary.StopReason);
        Assert.Equal(1, summary.Succeeded);
    }

}

public class RunLogWriterTests
{
    [Fact]
    public void A_run_is_logged_as_readable_lines_and_json_lines_one_pair_of_files_per_day()
    {
        using var folder = new TempFolder();
        string logs = Path.Combine(folder.Path, "logs");
        var day1 = new DateTime(2026, 11, 22, 23, 59, 0, DateTimeKind.Local);
        var day2 = day1.AddMinutes(2);
        var progress = new ProgressSnapshot { Job = "embed", RunId = 7, Total = 10, Succeeded = 5, ItemsPerSecond = 2.5 };
        using (var log = new RunLogWriter(logs, "embed"))
        {
            log.Write(new RunStartedEvent { RunId = 7, Job = "embed", Progress = progress, Time = day1 });
            log.Write(new BatchCompletedEvent { Number = 1, Items = 5, Succeeded = 4, Failed = 1, Duration = TimeSpan.FromSeconds(2), Progress = progress, Time = day1 });
            log.Write(new ItemFailedEvent { Key = "chunk-3", Attempts = 4, Error = "HTTP 500", ErrorType = "Http", Time = day1 });
            log.Write(new BatchCompletedEvent { Number = 2, Items = 5, Succeeded = 5, Duration = TimeSpan.FromSeconds(1), Progress = progress, Time = day2 });
        }

        string[] first = File.ReadAllLines(Path.Combine(logs, "batchops_20261122.log"));
        Assert.Equal(3, first.Length);
        Assert.StartsWith("2026-11-22 23:59:00 [embed run 7] Run 7 started", first[0]);
        Assert.Contains("Batch 1 complete: 4 succeeded, 1 failed", first[1]);
        Assert.Contains("Item 'chunk-3' failed after 4 attempt(s): HTTP 500", first[2]);
        Assert.Single(File.ReadAllLines(Path.Combine(logs, "batchops_20261123.log")));

        string[] json = File.ReadAllLines(Path.Combine(logs, "batchops_20261122.jsonl"));
        Assert.Equal(3, json.Length);
        using JsonDocument batch = JsonDocument.Parse(json[1]);
        Assert.Equal("BatchCompleted", batch.RootElement.GetProperty("event").GetString());
        Assert.Equal(7, batch.RootElement.GetProperty("runId").GetInt64());
        Assert.Equal(1, batch.RootElement.GetProperty("failed").GetInt32());
        Assert.Equal(50.0, batch.RootElement.GetProperty("percentComplete").GetDouble());
    }

    [Fact]
    public void The_summary_and_errors_are_logged()
    {
        using var folder = new TempFolder();
        using (var log = new RunLogWriter(folder.Path, "j"))
        {
            log.WriteSummary(new BatchRunSummary { Job = "j", RunId = 3, State = RunState.Failed, StopReason = StopReason.Error, Message = "disk full" });
            log.WriteError("Run 3 failed: disk full");
        }

        string text = File.ReadAllText(Path.Combine(folder.Path, RunLogWriter.TextFileName(DateTime.Now)));
        Assert.Contains("Run 3 of 'j' Failed (Error)", text);
        Assert.Contains("ERROR: Run 3 failed: disk full", text);
        string last = File.ReadAllLines(Path.Combine(folder.Path, RunLogWriter.JsonFileName(DateTime.Now))).First();
        Assert.Equal("Failed", JsonDocument.Parse(last).RootElement.GetProperty("state").GetString());
    }

    [Fact]
    public void A_log_folder_that_cannot_be_made_is_refused()
    {
        using var folder = new TempFolder();
        string file = folder.File("not-a-folder");
        File.WriteAllText(file, "x");
        var e = Assert.Throws<BatchOpsException>(() => new RunLogWriter(Path.Combine(file, "logs"), "j"));
        Assert.Equal(ErrorIds.LogPathInvalid, e.ErrorId);
    }
}
