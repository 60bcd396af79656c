using System;
using System.Collections.Concurrent;
using System.Threading.Tasks;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;
using Microsoft.Extensions.Time.Testing;
using Xunit;
using BatchOps.Engine.Input;

namespace BatchOps.Engine.Tests.Postgres;

/// <summary>
/// A run waiting on a PostgreSQL store is told of changes (LISTEN/NOTIFY): with a clock that never moves, so that no
/// timer ever wakes it, a drained continuous run still takes items another host adds, and still stops, suspends and
/// resumes when another host asks.
/// </summary>
public class ChangeFeedTests
{
    [PostgresFact]
    public async Task A_sleeping_continuous_run_is_woken_by_items_and_signals_from_another_host_alone()
    {
        using var test = TestStore.Create(Backend.Postgres);
        IJobStore runHost = test.Store;
        IJobStore otherHost = test.Open();
        BatchJob job = Stores.Seed(runHost, "feed", 2);
        var done = new ConcurrentDictionary<string, bool>();
        var processor = DelegateProcessor.FromSync(item =>
        {
            done[item.Key] = true;
            return ItemResult.Success();
        });
        var frozen = new FakeTimeProvider(DateTimeOffset.UtcNow); // never advanced: no timer fires in this run
        var runner = new BatchRunner(runHost, processor, new RunOptions { Continuous = true, DeepSleepAfter = TimeSpan.Zero }, frozen);
        Task<BatchRunSummary> run = runner.RunAsync(job);

        await Processors.WaitUntil(() => done.Count == 2, "the first two items");
        await Processors.WaitUntil(() => otherHost.GetCheckpoint(otherHost.GetJob("feed"))?.Activity is RunActivity.Idle or RunActivity.DeepSleep, "the run to idle");
        otherHost.Enqueue(otherHost.GetJob("feed"), new[] { new NewItem("late") });
        await Processors.WaitUntil(() => done.ContainsKey("late"), "the item added by the other host");

        Assert.True(otherHost.RequestSuspend(runner.RunId, true));
        await Processors.WaitUntil(() => otherHost.GetCheckpoint(otherHost.GetJob("feed"))?.Activity == RunActivity.Suspended, "the suspend asked by the other host");
        Assert.True(otherHost.RequestSuspend(runner.RunId, false));
        await Processors.WaitUntil(() => otherHost.GetCheckpoint(otherHost.GetJob("feed"))?.Activity != RunActivity.Suspended, "the resume asked by the other host");

        Assert.True(otherHost.RequestStop(runner.RunId));
        BatchRunSummary summary = await run.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(StopReason.StopRequested, summary.StopReason);
        Assert.Equal(3, summary.Succeeded);
    }
}
