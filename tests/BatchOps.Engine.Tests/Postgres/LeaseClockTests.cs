using System;
using System.Linq;
using BatchOps.Engine.Storage;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace BatchOps.Engine.Tests.Postgres;

/// <summary>
/// Leases on a server store are timed on the server's clock: a host whose own clock runs ahead cannot take a live
/// lease for expired, and a lease its holder stopped renewing is taken over once the server's clock passes its expiry.
/// </summary>
public class LeaseClockTests
{
    private static readonly TimeSpan TenMinutes = TimeSpan.FromMinutes(10);

    [PostgresFact]
    public void A_host_whose_clock_runs_ten_minutes_ahead_takes_no_live_lease()
    {
        using var test = TestStore.Create(Backend.Postgres);
        IJobStore hostA = test.Store;
        IJobStore hostB = test.Open(new FakeTimeProvider(DateTimeOffset.UtcNow + TenMinutes));
        BatchJob job = Stores.Seed(hostA, "shared", 10);
        long runA = hostA.StartRun(job.Id, new RunStart { Host = "host-a", ProcessId = 1, User = "a", OptionsJson = "{}" });
        long runB = hostB.StartRun(job.Id, new RunStart { Host = "host-b", ProcessId = 1, User = "b", OptionsJson = "{}" });

        ClaimResult byA = hostA.Claim(job.Id, runA, 5, hostA.NowMs() + 60_000, maxAttempts: 3);
        ClaimResult byB = hostB.Claim(job.Id, runB, 10, hostB.NowMs() + 60_000, maxAttempts: 3);

        Assert.Equal(5, byA.Items.Count);
        Assert.Equal(5, byB.Items.Count); // only the five nobody held
        Assert.Empty(byA.Items.Select(i => i.Key).Intersect(byB.Items.Select(i => i.Key)));
        Assert.InRange(Math.Abs(hostB.NowMs() - hostA.NowMs()), 0, 60_000); // both read the server's clock, not their own
        Stores.AssertCountersMatchItems(hostA, "shared");
    }

    [PostgresFact]
    public void A_lease_its_host_stopped_renewing_is_taken_over_after_its_expiry_and_the_late_outcome_is_refused()
    {
        using var test = TestStore.Create(Backend.Postgres);
        IJobStore hostA = test.Store;
        IJobStore hostB = test.Open();
        BatchJob job = Stores.Seed(hostA, "shared", 3);
        long runA = hostA.StartRun(job.Id, new RunStart { Host = "host-a", ProcessId = 1, User = "a", OptionsJson = "{}" });
        long runB = hostB.StartRun(job.Id, new RunStart { Host = "host-b", ProcessId = 1, User = "b", OptionsJson = "{}" });
        ClaimResult byA = hostA.Claim(job.Id, runA, 3, hostA.NowMs() + 60_000, maxAttempts: 3);
        Assert.Empty(hostB.Claim(job.Id, runB, 3, hostB.NowMs() + 60_000, maxAttempts: 3).Items); // live: not taken

        // Host A stops renewing; the server's clock passes the expiry (moved here, instead of waiting a minute).
        test.Database!.Execute("UPDATE batchops.items SET lease_expires_ms = (extract(epoch from clock_timestamp()) * 1000)::bigint - 5000 WHERE status = 1");
        ClaimResult byB = hostB.Claim(job.Id, runB, 3, hostB.NowMs() + 60_000, maxAttempts: 3);
        Assert.Equal(byA.Items.Select(i => i.Key).OrderBy(k => k), byB.Items.Select(i => i.Key).OrderBy(k => k));
        Assert.All(byB.Items, i => Assert.Equal(2, i.Attempts));

        var late = new RunCommit { JobId = job.Id, RunId = runA };
        foreach (ClaimedItem item in byA.Items)
        {
            late.Outcomes.Add(new ItemOutcome { ItemId = item.Id, LeaseToken = item.LeaseToken, Key = item.Key, Kind = OutcomeKind.Succeeded, Attempt = 1 });
        }

        Assert.All(hostA.Commit(late).Accepted, accepted => Assert.False(accepted));
        var onTime = new RunCommit { JobId = job.Id, RunId = runB };
        foreach (ClaimedItem item in byB.Items)
        {
            onTime.Outcomes.Add(new ItemOutcome { ItemId = item.Id, LeaseToken = item.LeaseToken, Key = item.Key, Kind = OutcomeKind.Succeeded, Attempt = 2 });
        }

        Assert.All(hostB.Commit(onTime).Accepted, Assert.True);
        BatchJob after = hostA.GetJob("shared");
        Assert.Equal((3L, 0L, 0L), (after.Succeeded, after.Running, after.Pending));
        Stores.AssertCountersMatchItems(hostA, "shared");
    }
}
