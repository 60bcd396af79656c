using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading.Tasks;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;
using Microsoft.Extensions.Time.Testing;
using Xunit;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Tests;

/// <summary>A run of chosen items (RunOptions.ItemKeys), and the time each item really started.</summary>
public class ChosenItemsTests
{
    private static DelegateProcessor Counting(ConcurrentDictionary<string, int> runs) =>
        DelegateProcessor.FromSync(item =>
        {
            runs.AddOrUpdate(item.Key, 1, (_, n) => n + 1);
            return ItemResult.Success();
        });

    [Theory, SqliteStore, PostgresStore]
    public async Task A_run_of_chosen_items_runs_exactly_those(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "chunks", 40, prefix: "chunk-");
        var runs = new ConcurrentDictionary<string, int>();
        RunOptions options = RunnerTests.Fast();
        options.ItemKeys = new[] { "chunk-00039", "chunk-00007" };

        BatchRunSummary summary = await new BatchRunner(store, Counting(runs), options).RunAsync(job);

        Assert.Equal(new[] { "chunk-00007", "chunk-00039" }, runs.Keys.OrderBy(k => k));
        Assert.All(runs.Values, n => Assert.Equal(1, n));
        Assert.Equal(2, summary.Succeeded);
        Assert.Equal(StopReason.Drained, summary.StopReason);
        Assert.Equal(38, store.GetJob("chunks").Pending);
        Stores.AssertCountersMatchItems(store, "chunks");
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task A_chosen_item_that_is_not_pending_is_not_run(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "chunks", 3, prefix: "chunk-");
        await new BatchRunner(store, Processors.Succeed(), RunnerTests.Fast()).RunAsync(job);
        var runs = new ConcurrentDictionary<string, int>();
        RunOptions options = RunnerTests.Fast();
        options.ItemKeys = new[] { "chunk-00001" };

        BatchRunSummary summary = await new BatchRunner(store, Counting(runs), options).RunAsync(store.GetJob("chunks"));

        Assert.Empty(runs); // putting it back to pending is the caller's choice (Reset)
        Assert.Equal(0, summary.Succeeded);
    }

    [Fact]
    public void Chosen_items_are_refused_for_a_continuous_run_and_when_empty()
    {
        var continuous = new RunOptions { ItemKeys = new[] { "a" }, Continuous = true };
        var empty = new RunOptions { ItemKeys = Array.Empty<string>() };

        Assert.Equal(ErrorIds.ItemSelectionInvalid, Assert.Throws<BatchOpsException>(continuous.Validate).ErrorId);
        Assert.Equal(ErrorIds.ItemSelectionInvalid, Assert.Throws<BatchOpsException>(empty.Validate).ErrorId);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Started_is_when_the_item_started_not_when_its_batch_was_claimed(Backend backend)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        using var test = TestStore.Create(backend, time);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "timed", 5);

        // One worker, and every item takes one second on the store's clock.
        var processor = DelegateProcessor.FromSync(item =>
        {
            time.Advance(TimeSpan.FromSeconds(1));
            return ItemResult.Success();
        });
        await new BatchRunner(store, processor, RunnerTests.Fast(batchSize: 5, throttle: 1)).RunAsync(job);

        BatchItem[] items = store.GetItems(job, new ItemQuery()).OrderBy(i => i.Started).ToArray();
        Assert.Equal(5, items.Select(i => i.Started).Distinct().Count());
        for (int i = 0; i < items.Length; i++)
        {
            Assert.Equal(TimeSpan.FromSeconds(1), items[i].Finished - items[i].Started);
            if (i > 0)
            {
                Assert.True(items[i].Started >= items[i - 1].Finished, $"{items[i].Key} started {items[i].Started:HH:mm:ss} before {items[i - 1].Key} finished {items[i - 1].Finished:HH:mm:ss}");
            }
        }
    }
}
