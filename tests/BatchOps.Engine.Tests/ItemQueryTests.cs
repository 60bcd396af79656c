using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;
using Xunit;

namespace BatchOps.Engine.Tests;

/// <summary>Item queries select the same items on every backend: key wildcards, finished batches, successes returned.</summary>
public class ItemQueryTests
{
    private static readonly string[] OddKeys =
    {
        "a.b", "a+b", "a(b)", "a\\b", "a$b", "a^b", "a|b", "A.b", "a-b", "a]b", "a[b", "abc", "line\nbreak", "emoji-\U0001F600", "x*y", "x?y", "%_",
    };

    [Theory, SqliteStore, PostgresStore]
    public void Key_wildcards_match_by_the_same_rule_whatever_the_key_holds(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = store.GetOrCreateJob("odd");
        store.Enqueue(job, OddKeys.Select(k => new NewItem(k)).ToList());

        string[] Select(params string[] patterns) =>
            store.GetItems(job, new ItemQuery { KeyPatterns = patterns, IncludePayload = false }).Select(i => i.Key).OrderBy(k => k, StringComparer.Ordinal).ToArray();
        string[] Sorted(params string[] keys) => keys.OrderBy(k => k, StringComparer.Ordinal).ToArray();

        Assert.Equal(Sorted("a.b", "a+b", "a\\b", "a$b", "a^b", "a|b", "a-b", "a]b", "a[b", "abc"), Select("a?b", "a?c")); // case-sensitive, one character
        Assert.Equal(Sorted("a.b", "a+b"), Select("a[.+]b"));
        Assert.Equal(Sorted("a\\b", "a$b", "a^b", "a|b", "a-b", "a]b", "a[b"), Select("a[^.+]b"));
        Assert.Equal(Sorted("a$b", "a+b", "a-b", "a.b", "a[b", "a\\b", "a]b", "a^b"), Select("a[$-^]b")); // a range of code points
        Assert.Equal(Sorted("a]b"), Select("a[]]b"));
        Assert.Equal(Sorted("line\nbreak"), Select("line*"));
        Assert.Equal(Sorted("emoji-\U0001F600"), Select("emoji-?"));
        Assert.Equal(Sorted("x*y"), Select("x`*y"));
        Assert.Equal(Sorted("x*y"), Select("x`*?"));
        Assert.Equal(Sorted("a[b"), Select("a`[b"));
        Assert.Equal(Sorted("%_"), Select("%*"));
        Assert.Empty(Select("a[b")); // a set never closed matches nothing
        Assert.Empty(Select("%"));
        Assert.Equal(Sorted("A.b"), Select("A*"));
        Assert.Equal(OddKeys.Length, Select("*").Length);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Finished_batches_and_their_items_are_found_by_run_batch_and_status(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "batched", 6);
        var processor = DelegateProcessor.FromSync(i => i.Key == "item-00003" ? ItemResult.Failure("no") : ItemResult.Success("ok"));
        BatchRunSummary run = await new BatchRunner(store, processor, new RunOptions { BatchSize = 2, ThrottleLimit = 1, RetryLimit = 0 }).RunAsync(job);
        job = store.GetJob("batched");

        Assert.Equal(new[] { 1L, 2L, 3L }, store.GetFinishedBatches(job, run.RunId, null).Select(b => b.Batch));
        Assert.Equal(new[] { (run.RunId, 2L) }, store.GetFinishedBatches(job, null, null, ItemStatus.Failed).Select(b => (b.Run, b.Batch)));
        Assert.Equal(new[] { 2L }, store.GetFinishedBatches(job, null, 2, null).Select(b => b.Batch));
        Assert.Empty(store.GetFinishedBatches(job, run.RunId + 1, null));
        Assert.Equal(new[] { "item-00002", "item-00003" }, store.GetItems(job, new ItemQuery { RunId = run.RunId, Batch = 2 }).Select(i => i.Key));
        Assert.Equal(new[] { "item-00004" }, store.GetItems(job, new ItemQuery { Status = ItemStatus.Succeeded, AfterId = store.GetItems(job, new ItemQuery { KeyPatterns = new[] { "item-00003" } }).Single().Id, First = 1 }).Select(i => i.Key));
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Successes_within_a_time_window_go_back_to_pending_and_the_counters_follow(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "restored", 4);
        var processor = DelegateProcessor.FromSync(i => i.Key == "item-00000" ? ItemResult.Failure("no") : ItemResult.Success("ok"));
        await new BatchRunner(store, processor, new RunOptions { BatchSize = 2, RetryLimit = 0 }).RunAsync(job);
        job = store.GetJob("restored");
        long before = store.NowMs() + 1;

        Assert.Equal(0, store.ReturnFinishedToPending(job, before, before + 60_000));
        Assert.Equal(3, store.ReturnFinishedToPending(job, 0, before));

        BatchJob after = store.GetJob("restored");
        Assert.Equal((3L, 0L, 1L), (after.Pending, after.Succeeded, after.Failed));
        Assert.All(store.GetItems(after, new ItemQuery { Status = ItemStatus.Pending }), i => Assert.Equal((0, (string?)null, (long?)null), (i.Attempts, i.Result, i.Batch)));
        Stores.AssertCountersMatchItems(store, "restored");
    }

    [Theory, SqliteStore, PostgresStore]
    public void Resetting_items_by_status_moves_only_those_and_refuses_running_ones(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "none-done", 3);

        Assert.Equal(0, store.ResetItems(job, ItemStatus.Failed));
        Assert.Equal(0, store.ResetItems(job, ItemStatus.Succeeded));
        Assert.Equal(3, store.GetJob("none-done").Pending);
        Assert.Equal(new[] { "x" }, store.ResetItems(job, new[] { "x" }).NotFound);
        Stores.AssertCountersMatchItems(store, "none-done");
    }
}
