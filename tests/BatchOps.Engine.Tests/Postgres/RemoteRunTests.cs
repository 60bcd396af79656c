using System;
using System.Linq;
using BatchOps.Engine.Platform;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;
using Xunit;

namespace BatchOps.Engine.Tests.Postgres;

/// <summary>
/// A run of another machine has no process this host can look at: it is taken for dead when its heartbeat is older
/// than two minutes (four beats missed), and then recovered like a run whose process is gone.
/// </summary>
public class RemoteRunTests
{
    private static readonly RunHost HostB = new RunHost("host-b", 4242, 1_000, "b");

    [Theory]
    [InlineData(60, false)]
    [InlineData(110, false)]
    [InlineData(130, true)]
    [InlineData(600, true)]
    public void A_run_of_another_machine_is_gone_when_its_heartbeat_is_two_minutes_old(int seconds, bool gone)
    {
        long now = 10_000_000;
        Assert.Equal(gone, HostB.IsGone("host-a", 17, 500, now - seconds * 1000L, now));
    }

    [PostgresFact]
    public void A_run_whose_host_stopped_beating_is_recovered_by_another_host_and_its_items_return()
    {
        using var test = TestStore.Create(Backend.Postgres);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "shared", 4);
        long deadRun = store.StartRun(job.Id, new RunStart { Host = "host-a", ProcessId = 17, ProcessStartedMs = 500, User = "a", OptionsJson = "{}" });
        long liveRun = store.StartRun(job.Id, new RunStart { Host = "host-c", ProcessId = 18, ProcessStartedMs = 500, User = "c", OptionsJson = "{}" });
        store.Claim(job.Id, deadRun, 3, store.NowMs() + 600_000, maxAttempts: 3); // a long lease, so only recovery can free them
        test.Database!.Execute($"UPDATE batchops.runs SET heartbeat_ms = heartbeat_ms - 150000 WHERE id = {deadRun}");

        (int runs, long items, _) = RunRecovery.RecoverDeadRuns(store, job.Id, HostB);

        Assert.Equal((1, 3L), (runs, items));
        Assert.Equal(new[] { liveRun }, store.GetActiveRuns(job.Id).Select(r => r.Id));
        BatchJob after = store.GetJob("shared");
        Assert.Equal((4L, 0L), (after.Pending, after.Running));
        Stores.AssertCountersMatchItems(store, "shared");
    }
}
