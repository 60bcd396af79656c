using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using BatchOps.Engine.Storage;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Xunit;

namespace BatchOps.Engine.Tests;

/// <summary>
/// One job claimed through several connections to one store (processes, or hosts on a server store): every item
/// goes to one claimer, a lease that ran out is taken over, and the first holder's late outcome is refused.
/// </summary>
public class SharedJobTests
{
    private const long Minute = 60_000;

    [Theory, SqliteStore, PostgresStore]
    public void Two_connections_claiming_from_one_job_get_disjoint_items(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore a = test.Store;
        IJobStore b = test.Open();
        BatchJob job = Stores.Seed(a, "shared", 10);
        long runA = a.StartRun(job.Id, new RunStart { Host = "host-a", ProcessId = 1 });
        long runB = b.StartRun(job.Id, new RunStart { Host = "host-b", ProcessId = 2 });

        ClaimResult first = a.Claim(job.Id, runA, 4, a.NowMs() + Minute, 4);
        ClaimResult second = b.Claim(job.Id, runB, 4, b.NowMs() + Minute, 4);

        Assert.Equal(new[] { "item-00000", "item-00001", "item-00002", "item-00003" }, first.Items.Select(i => i.Key));
        Assert.Equal(new[] { "item-00004", "item-00005", "item-00006", "item-00007" }, second.Items.Select(i => i.Key));
        BatchJob claimed = b.GetJob("shared");
        Assert.Equal(2, claimed.Pending);
        Assert.Equal(8, claimed.Running);
        Stores.AssertCountersMatchItems(a, "shared");

        Assert.All(a.Commit(Succeeded(job, runA, first.Items)).Accepted, accepted => Assert.True(accepted));
        Assert.All(b.Commit(Succeeded(job, runB, second.Items)).Accepted, accepted => Assert.True(accepted));
        BatchJob after = a.GetJob("shared");
        Assert.Equal(8, after.Succeeded);
        Assert.Equal(0, after.Running);
        Stores.AssertCountersMatchItems(a, "shared");
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Claimers_on_two_connections_at_once_never_get_the_same_item(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore[] stores = { test.Store, test.Open() };
        BatchJob job = Stores.Seed(test.Store, "race", 200);
        var seen = new ConcurrentBag<string>();

        // Each claimer takes small batches and records them until the job is drained; the interleaving varies from
        // run to run, the outcome may not.
        await Task.WhenAll(stores.Select((store, n) => Task.Run(() =>
        {
            long run = store.StartRun(job.Id, new RunStart { Host = "host-" + n, ProcessId = n + 1 });
            while (true)
            {
                ClaimResult claim = store.Claim(job.Id, run, 3, store.NowMs() + Minute, 4);
                if (claim.Items.Count == 0)
                {
                    return;
                }

                Assert.All(store.Commit(Succeeded(job, run, claim.Items)).Accepted, accepted => Assert.True(accepted));
                foreach (ClaimedItem item in claim.Items)
                {
                    seen.Add(item.Key);
                }
            }
        })));

        Assert.Equal(200, seen.Count);
        Assert.Equal(200, seen.Distinct().Count());
        Assert.Equal(200, test.Store.GetJob("race").Succeeded);
        Stores.AssertCountersMatchItems(test.Store, "race");
    }

    [Theory, SqliteStore, PostgresStore]
    public void An_expired_lease_is_taken_over_by_another_connection_and_the_first_holders_late_outcome_is_refused(Backend backend)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var test = TestStore.Create(backend, time);
        IJobStore first = test.Store;
        IJobStore second = test.Open(time);
        BatchJob job = Stores.Seed(first, "lease", 1);
        long slowRun = first.StartRun(job.Id, new RunStart { Host = "host-a", ProcessId = 1 });
        ClaimedItem slow = first.Claim(job.Id, slowRun, 1, first.NowMs() + 1_000, 4).Items.Single();

        time.Advance(TimeSpan.FromSeconds(2)); // the first holder hangs past its lease
        long fastRun = second.StartRun(job.Id, new RunStart { Host = "host-b", ProcessId = 2 });
        ClaimedItem taken = second.Claim(job.Id, fastRun, 1, second.NowMs() + Minute, 4).Items.Single();

        Assert.Equal(slow.Id, taken.Id);
        Assert.Equal(2, taken.Attempts);
        Assert.NotEqual(slow.LeaseToken, taken.LeaseToken);
        Assert.Equal(1, second.GetJob("lease").Running);

        // The first holder wakes up and reports a failure, and a retry before it: both refused, no error line.
        var late = new RunCommit { JobId = job.Id, RunId = slowRun };
        late.Retries.Add(new ItemRetry { ItemId = slow.Id, LeaseToken = slow.LeaseToken, Key = slow.Key, Attempt = 1, Error = "timeout" });
        late.Outcomes.Add(new ItemOutcome { ItemId = slow.Id, LeaseToken = slow.LeaseToken, Key = slow.Key, Kind = OutcomeKind.Failed, Error = "timeout", Attempt = 2 });
        Assert.False(first.Commit(late).Accepted.Single());

        Assert.True(second.Commit(Succeeded(job, fastRun, new[] { taken })).Accepted.Single());
        BatchItem item = first.GetItems(first.GetJob("lease"), new ItemQuery()).Single();
        Assert.Equal(ItemStatus.Succeeded, item.Status);
        Assert.Equal(2, item.Attempts);
        Assert.Null(item.LastError);
        Assert.Empty(first.GetErrors(first.GetJob("lease"), 10));
        BatchJob after = first.GetJob("lease");
        Assert.Equal(1, after.Succeeded);
        Assert.Equal(0, after.Failed);
        Stores.AssertCountersMatchItems(first, "lease");
    }

    [Theory, SqliteStore, PostgresStore]
    public void Retries_of_one_item_in_one_commit_each_count_an_attempt(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "retries", 1);
        long run = store.StartRun(job.Id, new RunStart { Host = "here", ProcessId = 1 });
        ClaimedItem item = store.Claim(job.Id, run, 1, store.NowMs() + Minute, 10).Items.Single();

        var commit = new RunCommit { JobId = job.Id, RunId = run };
        commit.Retries.Add(new ItemRetry { ItemId = item.Id, LeaseToken = item.LeaseToken, Key = item.Key, Attempt = 1, Error = "HTTP 503" });
        commit.Retries.Add(new ItemRetry { ItemId = item.Id, LeaseToken = item.LeaseToken, Key = item.Key, Attempt = 2, Error = "HTTP 429" });
        commit.Outcomes.Add(new ItemOutcome { ItemId = item.Id, LeaseToken = item.LeaseToken, Key = item.Key, Kind = OutcomeKind.Succeeded, Attempt = 3 });
        Assert.True(store.Commit(commit).Accepted.Single());

        BatchItem done = store.GetItems(store.GetJob("retries"), new ItemQuery()).Single();
        Assert.Equal(3, done.Attempts);
        Assert.Null(done.LastError);
        IReadOnlyList<ErrorEntry> errors = store.GetErrors(store.GetJob("retries"), 10);
        Assert.Equal(new[] { 2, 1 }, errors.Select(e => e.Attempt)); // newest first
        Assert.Equal(new[] { "HTTP 429", "HTTP 503" }, errors.Select(e => e.Message));
    }

    [Theory, PostgresStore]
    public void A_claim_skips_the_rows_another_host_is_claiming_instead_of_waiting_for_them(Backend backend)
    {
        using var test = TestStore.Create(backend);
        BatchJob job = Stores.Seed(test.Store, "busy", 5);
        // A claim that waited for a lock would fail after 10 s with a lock timeout rather than hang the test.
        test.Database!.Execute($"ALTER DATABASE {test.Database.Name} SET lock_timeout = '10s'");
        IJobStore store = test.Open();
        long run = store.StartRun(job.Id, new RunStart { Host = "host-b", ProcessId = 2 });

        // Another host's claim, in flight: it holds the first two pending rows.
        using var other = new NpgsqlConnection(test.Database.ConnectionString);
        other.Open();
        using NpgsqlTransaction inFlight = other.BeginTransaction();
        using (var hold = new NpgsqlCommand("SELECT id FROM batchops.items ORDER BY id LIMIT 2 FOR UPDATE", other, inFlight))
        {
            hold.ExecuteNonQuery();
        }

        ClaimResult claim = store.Claim(job.Id, run, 2, store.NowMs() + Minute, 4);

        Assert.Equal(new[] { "item-00002", "item-00003" }, claim.Items.Select(i => i.Key));
        inFlight.Rollback();
        Assert.Equal(new[] { "item-00000", "item-00001" }, store.Claim(job.Id, run, 2, store.NowMs() + Minute, 4).Items.Select(i => i.Key));
    }

    [Theory, PostgresStore]
    public void A_stop_or_suspend_request_notifies_the_runs_job(Backend backend)
    {
        using var test = TestStore.Create(backend);
        BatchJob job = Stores.Seed(test.Store, "signals", 1);
        long run = test.Store.StartRun(job.Id, new RunStart { Host = "host-a", ProcessId = 1 });
        using var listener = new NpgsqlConnection(test.Database!.ConnectionString);
        listener.Open();
        var payloads = new List<string>();
        listener.Notification += (_, e) => payloads.Add(e.Payload);
        using (var listen = new NpgsqlCommand("LISTEN batchops_job", listener))
        {
            listen.ExecuteNonQuery();
        }

        Assert.True(test.Store.RequestSuspend(run, true));
        Assert.True(listener.Wait(TimeSpan.FromSeconds(30)), "no notification for the suspend request");
        Assert.True(test.Store.RequestStop(run));
        Assert.True(listener.Wait(TimeSpan.FromSeconds(30)), "no notification for the stop request");

        Assert.Equal(new[] { job.Id.ToString(), job.Id.ToString() }, payloads);
        RunSignals signals = test.Store.ReadSignals(run);
        Assert.True(signals.StopRequested);
        Assert.True(signals.SuspendRequested);
        Assert.Equal(1, signals.Pending);
    }

    private static RunCommit Succeeded(BatchJob job, long runId, IEnumerable<ClaimedItem> items)
    {
        var commit = new RunCommit { JobId = job.Id, RunId = runId };
        commit.Outcomes.AddRange(items.Select(i => new ItemOutcome { ItemId = i.Id, LeaseToken = i.LeaseToken, Key = i.Key, Kind = OutcomeKind.Succeeded, Attempt = i.Attempts }));
        return commit;
    }
}
