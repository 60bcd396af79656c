using System;
using System.Threading;
using System.Threading.Tasks;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace BatchOps.Engine.Tests;

/// <summary>
/// Ctrl+C in a console reaches the item's program too: it dies (exit 130) a moment before the run hears of the stop.
/// Such an item must go back to the queue, not be failed for good.
/// </summary>
public class InterruptTests
{
    [Fact]
    public async Task A_program_interrupted_by_the_stop_releases_its_item_instead_of_failing_it()
    {
        using var folder = new TempFolder();
        using var store = Stores.Open(folder);
        BatchJob job = Stores.Seed(store, "ctrl-c", 1);
        using var stop = new CancellationTokenSource();
        var processor = DelegateProcessor.FromSync(_ =>
        {
            // The program has died of the console's SIGINT; the run's own stop comes just after.
            ThreadPool.QueueUserWorkItem(_ => stop.Cancel());
            return ItemResult.Interrupted("Exit code 130.", "ExitCode");
        });

        BatchRunSummary summary = await new BatchRunner(store, processor, new RunOptions { RetryLimit = 0 }).RunAsync(job, stop.Token);

        Assert.Equal(0, summary.Failed);
        BatchJob after = store.GetJob("ctrl-c");
        Assert.Equal(1, after.Pending);
        Assert.Equal(0, after.Failed);
    }

    [Fact]
    public async Task An_interrupted_program_without_a_stop_is_an_ordinary_failure_after_a_short_grace()
    {
        using var folder = new TempFolder();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var store = Stores.Open(folder, time);
        BatchJob job = Stores.Seed(store, "sigint", 1);
        var processor = DelegateProcessor.FromSync(_ => ItemResult.Interrupted("Exit code 130.", "ExitCode"));

        Task<BatchRunSummary> run = new BatchRunner(store, processor, new RunOptions { RetryLimit = 0 }, time).RunAsync(job);
        await Processors.WaitUntil(() =>
        {
            time.Advance(TimeSpan.FromMilliseconds(250));
            return run.IsCompleted;
        }, "the run to end");

        BatchRunSummary summary = await run;
        Assert.Equal(1, summary.Failed);
        Assert.Equal(1, store.GetJob("sigint").Failed);
    }

    [Fact]
    public async Task Items_claimed_but_not_started_when_the_stop_comes_never_start()
    {
        using var folder = new TempFolder();
        using var store = Stores.Open(folder);
        BatchJob job = Stores.Seed(store, "stop-now", 20);
        using var stop = new CancellationTokenSource();
        int executed = 0;
        var processor = DelegateProcessor.FromSync(_ =>
        {
            Interlocked.Increment(ref executed);
            stop.Cancel(); // Ctrl+C during the first item; the rest of its batch is claimed and waiting
            return ItemResult.Success();
        });

        BatchRunSummary summary = await new BatchRunner(store, processor, new RunOptions { BatchSize = 5, ThrottleLimit = 1 }).RunAsync(job, stop.Token);

        Assert.Equal(1, executed);
        Assert.Equal(1, summary.Succeeded);
        BatchJob after = store.GetJob("stop-now");
        Assert.Equal((19L, 0L), (after.Pending, after.Running));
        Assert.All(store.GetItems(after, new ItemQuery { Status = ItemStatus.Pending }), i => Assert.Equal(0, i.Attempts));
    }
}
