using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;
using Xunit;

namespace BatchOps.Engine.Tests;

/// <summary>The fast paths of a run: grouped outcomes from a worker, and the store's statement for a plain success.</summary>
public class ThroughputPathTests
{
    [Fact]
    public async Task Outcomes_a_worker_finished_are_recorded_while_its_next_item_is_still_running()
    {
        using var folder = new TempFolder();
        using var store = Stores.Open(folder);
        BatchJob job = Stores.Seed(store, "grouped", 5);
        var slow = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var processor = new DelegateProcessor(async (item, ct) =>
        {
            if (item.Key == "item-00003")
            {
                await slow.Task.WaitAsync(ct);
            }

            return ItemResult.Success();
        });

        // One worker: items 0-2 finish at once, back to back, then item 3 waits. Their outcomes must reach the store
        // while it waits, not when the worker is next free.
        Task<BatchRunSummary> run = new BatchRunner(store, processor, RunnerTests.Fast(batchSize: 10, throttle: 1)).RunAsync(job);
        await Processors.WaitUntil(() => store.GetJob("grouped").Succeeded == 3, "the three finished items recorded while the fourth runs");
        Assert.Equal(2, store.GetJob("grouped").Running); // item 3 in progress, item 4 claimed with it and waiting
        slow.SetResult(true);
        BatchRunSummary summary = await run;

        Assert.Equal(RunState.Completed, summary.State);
        Assert.Equal(5, summary.Succeeded);
        Stores.AssertCountersMatchItems(store, "grouped");
    }

    [Fact]
    public async Task Many_fast_items_on_several_workers_are_each_recorded_once_with_their_batch()
    {
        using var folder = new TempFolder();
        using var store = Stores.Open(folder);
        BatchJob job = Stores.Seed(store, "many", 1_000);

        BatchRunSummary summary = await new BatchRunner(store, DelegateProcessor.FromSync(_ => ItemResult.Success()), RunnerTests.Fast(batchSize: 7, throttle: 5)).RunAsync(job);

        Assert.Equal(1_000, summary.Succeeded);
        Assert.Equal(143, summary.Batches); // 142 of 7 and one of 6
        var items = store.GetItems(job, new ItemQuery { IncludePayload = false });
        Assert.All(items, i =>
        {
            Assert.Equal(ItemStatus.Succeeded, i.Status);
            Assert.Null(i.Result);
            Assert.NotNull(i.Finished);
            Assert.NotNull(i.Batch);
        });
        Assert.Equal(143, items.Select(i => i.Batch).Distinct().Count());
        Stores.AssertCountersMatchItems(store, "many");
    }

    [Fact]
    public void A_plain_success_is_written_only_under_its_own_lease()
    {
        using var folder = new TempFolder();
        using var store = Stores.Open(folder);
        BatchJob job = Stores.Seed(store, "fenced", 2);
        long runId = store.StartRun(job.Id, new RunStart { Host = "test" });
        long now = store.NowMs();
        ClaimResult claim = store.Claim(job.Id, runId, 2, now + 60_000, 4);
        var commit = new RunCommit { JobId = job.Id, RunId = runId };
        commit.Outcomes.Add(new ItemOutcome { ItemId = claim.Items[0].Id, LeaseToken = claim.Items[0].LeaseToken, Key = claim.Items[0].Key, Kind = OutcomeKind.Succeeded, Attempt = 1, DurationMs = 12, StartedMs = now, FinishedMs = now + 12, Batch = 1 });
        commit.Outcomes.Add(new ItemOutcome { ItemId = claim.Items[1].Id, LeaseToken = claim.Items[1].LeaseToken + 1, Key = claim.Items[1].Key, Kind = OutcomeKind.Succeeded, Attempt = 1, Batch = 1 });

        CommitResult result = store.Commit(commit);

        Assert.Equal(new[] { true, false }, result.Accepted);
        BatchItem done = store.GetItems(job, new ItemQuery()).Single(i => i.Key == claim.Items[0].Key);
        Assert.Equal(ItemStatus.Succeeded, done.Status);
        Assert.Null(done.Result);
        Assert.Null(done.LastError);
        Assert.Equal(TimeSpan.FromMilliseconds(12), done.Duration);
        Assert.Equal(1, done.Batch);
        Assert.NotNull(done.Finished);
        BatchItem other = store.GetItems(job, new ItemQuery()).Single(i => i.Key == claim.Items[1].Key);
        Assert.Equal(ItemStatus.Running, other.Status); // another lease's outcome is refused
    }

    [Fact]
    public void Plain_successes_in_a_row_each_get_their_own_values_when_some_repeat()
    {
        // The statement binds only the values that changed since the last outcome: a value that changes back (the
        // lease token after a refused outcome, a start time after none) must be bound again.
        using var folder = new TempFolder();
        using var store = Stores.Open(folder);
        BatchJob job = Stores.Seed(store, "repeats", 3);
        long runId = store.StartRun(job.Id, new RunStart { Host = "test" });
        long now = store.NowMs();
        ClaimResult claim = store.Claim(job.Id, runId, 3, now + 60_000, 4);
        long token = claim.Items[0].LeaseToken;
        var commit = new RunCommit { JobId = job.Id, RunId = runId };
        commit.Outcomes.Add(new ItemOutcome { ItemId = claim.Items[0].Id, LeaseToken = token, Key = claim.Items[0].Key, Kind = OutcomeKind.Succeeded, Attempt = 1, DurationMs = 5, StartedMs = now + 1, FinishedMs = now + 6, Batch = 1 });
        commit.Outcomes.Add(new ItemOutcome { ItemId = claim.Items[1].Id, LeaseToken = token + 1, Key = claim.Items[1].Key, Kind = OutcomeKind.Succeeded, Attempt = 1, DurationMs = 5, StartedMs = now + 1, FinishedMs = now + 6, Batch = 1 });
        commit.Outcomes.Add(new ItemOutcome { ItemId = claim.Items[2].Id, LeaseToken = token, Key = claim.Items[2].Key, Kind = OutcomeKind.Succeeded, Attempt = 1, DurationMs = 9, StartedMs = null, FinishedMs = now + 20, Batch = 2 });

        CommitResult result = store.Commit(commit);

        Assert.Equal(new[] { true, false, true }, result.Accepted);
        var items = store.GetItems(job, new ItemQuery()).ToDictionary(i => i.Key);
        BatchItem first = items[claim.Items[0].Key], refused = items[claim.Items[1].Key], third = items[claim.Items[2].Key];
        Assert.Equal(ItemStatus.Succeeded, first.Status);
        Assert.Equal(1, first.Batch);
        Assert.Equal(TimeSpan.FromMilliseconds(5), first.Duration);
        Assert.Equal(ItemStatus.Running, refused.Status); // the wrong token was bound for it, and refused
        Assert.Equal(ItemStatus.Succeeded, third.Status); // the right token bound again after the wrong one
        Assert.Equal(2, third.Batch);
        Assert.Equal(TimeSpan.FromMilliseconds(9), third.Duration);
        Assert.NotNull(third.Started); // no start time given: the claim's stays
        Assert.NotEqual(first.Finished, third.Finished);
        Stores.AssertCountersMatchItems(store, "repeats");
    }
}
