using System;
using System.Collections.Generic;
using System.Linq;
using BatchOps.Engine.Storage;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace BatchOps.Engine.Tests;

/// <summary>
/// Successes written a range at a time (SqliteSuccessRanges): every outcome still recorded once, with its own values,
/// only under its own lease, and never an item of the lease that is still in progress.
/// </summary>
public class SuccessRangeTests
{
    private const long Minute = 60_000;

    [Theory, SqliteStore, PostgresStore]
    public void Successes_of_one_claim_finishing_in_one_millisecond_are_each_recorded_once_in_any_order(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "same-ms", 50);
        long runId = store.StartRun(job.Id, new RunStart { Host = "test" });
        long now = store.NowMs();
        List<ClaimedItem> claimed = store.Claim(job.Id, runId, 50, now + Minute, 4).Items.ToList();
        Assert.Equal(Enumerable.Range(0, 50), claimed.Select(i => i.LeasePosition));

        // Workers finish in any order: the outcomes arrive shuffled.
        var shuffled = claimed.OrderBy(i => (i.Id * 7919) % 50).ToList();
        CommitResult result = store.Commit(Outcomes(job, runId, shuffled, now, batch: i => 1));

        Assert.All(result.Accepted, Assert.True);
        Assert.All(store.GetItems(store.GetJob("same-ms"), new ItemQuery()), item =>
        {
            Assert.Equal(ItemStatus.Succeeded, item.Status);
            Assert.Equal(1, item.Batch);
            Assert.Equal(TimeSpan.FromMilliseconds(3), item.Duration);
        });
        Assert.Equal(50, store.GetJob("same-ms").Succeeded);
        Stores.AssertCountersMatchItems(store, "same-ms");
    }

    [Theory, SqliteStore, PostgresStore]
    public void Successes_with_different_batches_and_times_each_keep_their_own(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "own-values", 30);
        long runId = store.StartRun(job.Id, new RunStart { Host = "test" });
        long now = store.NowMs();
        List<ClaimedItem> claimed = store.Claim(job.Id, runId, 30, now + Minute, 4).Items.ToList();

        // Batches of 10; the second batch finishes a millisecond later, item 25 alone later still.
        RunCommit commit = Outcomes(job, runId, claimed, now, batch: i => 1 + (i / 10), finished: i => i == 25 ? now + 50 : now + (i / 10 == 1 ? 1 : 0));
        Assert.All(store.Commit(commit).Accepted, Assert.True);

        var items = store.GetItems(store.GetJob("own-values"), new ItemQuery()).ToDictionary(i => i.Key);
        for (int i = 0; i < claimed.Count; i++)
        {
            BatchItem item = items[claimed[i].Key];
            Assert.Equal(ItemStatus.Succeeded, item.Status);
            Assert.Equal(1 + (i / 10), item.Batch);
        }

        DateTimeOffset first = items[claimed[0].Key].Finished!.Value, second = items[claimed[10].Key].Finished!.Value;
        Assert.Equal(TimeSpan.FromMilliseconds(1), second - first);
        Assert.Equal(TimeSpan.FromMilliseconds(50), items[claimed[25].Key].Finished!.Value - first);
        Assert.Equal(first, items[claimed[29].Key].Finished!.Value);
        Stores.AssertCountersMatchItems(store, "own-values");
    }

    [Theory, SqliteStore, PostgresStore]
    public void A_lease_lost_among_successes_refuses_that_item_alone(Backend backend)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var test = TestStore.Create(backend, time);
        IJobStore first = test.Store;
        IJobStore second = test.Open(time);
        BatchJob job = Stores.Seed(first, "lost", 10);
        long slowRun = first.StartRun(job.Id, new RunStart { Host = "host-a", ProcessId = 1 });
        long now = first.NowMs();
        List<ClaimedItem> claimed = first.Claim(job.Id, slowRun, 10, now + 1_000, 4).Items.ToList();

        time.Advance(TimeSpan.FromSeconds(2)); // the leases run out; another run takes the first item over
        long otherRun = second.StartRun(job.Id, new RunStart { Host = "host-b", ProcessId = 2 });
        ClaimedItem taken = second.Claim(job.Id, otherRun, 1, second.NowMs() + Minute, 4).Items.Single();
        Assert.Equal(claimed[0].Id, taken.Id);

        // The first run reports all ten as finished in the same millisecond.
        CommitResult result = first.Commit(Outcomes(job, slowRun, claimed, first.NowMs(), batch: i => 1));

        Assert.Equal(new[] { false }.Concat(Enumerable.Repeat(true, 9)), result.Accepted);
        var items = first.GetItems(first.GetJob("lost"), new ItemQuery()).ToDictionary(i => i.Key);
        Assert.Equal(ItemStatus.Running, items[taken.Key].Status); // still the other run's
        Assert.Equal(9, items.Values.Count(i => i.Status == ItemStatus.Succeeded));
        Assert.Equal(9, first.GetJob("lost").Succeeded);
        Stores.AssertCountersMatchItems(first, "lost");
    }

    [Theory, SqliteStore, PostgresStore]
    public void Items_in_progress_between_taken_over_leases_are_not_finished_with_them(Backend backend)
    {
        // Expired leases and pending items interleave by id. A claim that takes both must not let the finished expired
        // ones close a range over pending ones it took at the same time and that are still in progress.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var test = TestStore.Create(backend, time);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "interleaved", 12);
        long deadRun = store.StartRun(job.Id, new RunStart { Host = "host-a", ProcessId = 1 });
        List<ClaimedItem> firstClaim = store.Claim(job.Id, deadRun, 8, store.NowMs() + 1_000, 4).Items.ToList();

        // The dead run had handed back every other item (pending again) before it stopped renewing the rest.
        var handedBack = new RunCommit { JobId = job.Id, RunId = deadRun };
        foreach (ClaimedItem item in firstClaim.Where((_, i) => i % 2 == 1))
        {
            handedBack.Outcomes.Add(new ItemOutcome { ItemId = item.Id, LeaseToken = item.LeaseToken, LeasePosition = item.LeasePosition, Key = item.Key, Kind = OutcomeKind.Released, UndoAttempt = true, Attempt = 1 });
        }

        Assert.All(store.Commit(handedBack).Accepted, Assert.True);
        time.Advance(TimeSpan.FromSeconds(2));

        long runId = store.StartRun(job.Id, new RunStart { Host = "host-b", ProcessId = 2 });
        List<ClaimedItem> claimed = store.Claim(job.Id, runId, 12, store.NowMs() + Minute, 4, includeExpired: true).Items.ToList();
        var expired = claimed.Where(c => firstClaim.Where((_, i) => i % 2 == 0).Any(f => f.Id == c.Id)).ToList();
        var pending = claimed.Except(expired).ToList();
        Assert.Equal(4, expired.Count);
        Assert.Equal(8, pending.Count);
        Assert.True(pending.Min(p => p.Id) < expired.Max(e => e.Id)); // they interleave

        CommitResult result = store.Commit(Outcomes(job, runId, expired, store.NowMs(), batch: i => 1));

        Assert.All(result.Accepted, Assert.True);
        var items = store.GetItems(store.GetJob("interleaved"), new ItemQuery()).ToDictionary(i => i.Id);
        Assert.All(expired, e => Assert.Equal(ItemStatus.Succeeded, items[e.Id].Status));
        Assert.All(pending, p => Assert.Equal(ItemStatus.Running, items[p.Id].Status));
        Stores.AssertCountersMatchItems(store, "interleaved");
    }

    [Fact]
    public void Ranges_are_outcomes_at_consecutive_positions_of_one_token_with_the_same_values()
    {
        var outcomes = new List<ItemOutcome>();
        void Add(long token, int position, long finished = 100, long batch = 1, OutcomeKind kind = OutcomeKind.Succeeded, string? result = null) =>
            outcomes.Add(new ItemOutcome { ItemId = 1000 + position, LeaseToken = token, LeasePosition = position, Kind = kind, Result = result, FinishedMs = finished, Batch = batch, Key = "k" + position });

        for (int p = 9; p >= 0; p--)
        {
            Add(7, p, finished: p < 6 ? 100 : 101); // one token, arrived in reverse: 0-5 then 6-9 (another millisecond)
        }

        Add(8, 0);
        Add(8, 1);
        Add(8, 2); // a token with three: too few for a range
        Add(9, 0);
        Add(9, 1);
        Add(9, 3);
        Add(9, 4); // a gap at position 2 (retrying, or released)
        Add(5, 0);
        Add(5, 1, result: "text");
        Add(5, 2);
        Add(5, 3);
        Add(5, 4); // a success with a result is not a plain one

        IReadOnlyList<(int First, int Count)> ranges = SqliteSuccessRanges.Find(outcomes, 100, out int[] order);

        var found = ranges.Select(r => order.Skip(r.First).Take(r.Count).Select(i => (outcomes[i].LeaseToken, outcomes[i].LeasePosition)).ToList()).ToList();
        Assert.Equal(2, found.Count);
        Assert.Equal(Enumerable.Range(0, 6).Select(p => (7L, p)), found[0]);
        Assert.Equal(Enumerable.Range(6, 4).Select(p => (7L, p)), found[1]);
    }

    private static RunCommit Outcomes(BatchJob job, long runId, IEnumerable<ClaimedItem> items, long now, Func<int, long> batch, Func<int, long>? finished = null)
    {
        var commit = new RunCommit { JobId = job.Id, RunId = runId };
        int i = 0;
        foreach (ClaimedItem item in items)
        {
            long at = finished?.Invoke(i) ?? now;
            commit.Outcomes.Add(new ItemOutcome
            {
                ItemId = item.Id,
                LeaseToken = item.LeaseToken,
                LeasePosition = item.LeasePosition,
                Key = item.Key,
                Kind = OutcomeKind.Succeeded,
                Attempt = item.Attempts,
                StartedMs = at - 3,
                FinishedMs = at,
                DurationMs = 3,
                Batch = batch(i),
            });
            i++;
        }

        return commit;
    }
}
