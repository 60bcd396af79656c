using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Reporting;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;
using Xunit;

namespace BatchOps.Engine.Tests;

/// <summary>A job that grows while a run works on it: totals, percentages and the target follow it.</summary>
public class GrowingJobTests
{
    /// <summary>Adds <paramref name="count"/> items through a connection of its own when the processor meets <paramref name="trigger"/>.</summary>
    private static DelegateProcessor AddingWhenSeen(IJobStore other, string job, string trigger, int count) =>
        DelegateProcessor.FromSync(item =>
        {
            if (item.Key == trigger)
            {
                other.Enqueue(other.GetJob(job), Enumerable.Range(0, count).Select(i => new NewItem("more-" + i.ToString("D3", CultureInfo.InvariantCulture))).ToList());
            }

            return ItemResult.Success();
        });

    [Theory, SqliteStore, PostgresStore]
    public async Task Items_added_from_another_connection_during_a_run_count_in_its_progress(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        IJobStore other = test.Open();
        BatchJob job = Stores.Seed(store, "grow", 40);
        var events = new EventLog();

        BatchRunSummary summary = await new BatchRunner(store, AddingWhenSeen(other, "grow", "item-00010", 100), RunnerTests.Fast(), events.Writer).RunAsync(job);

        Assert.Equal(140, summary.Total);
        Assert.Equal(140, summary.Succeeded);
        Assert.Equal(100.0, summary.PercentComplete);
        List<ProgressSnapshot> seen = events.Drain().OfType<BatchCompletedEvent>().Select(b => b.Progress).ToList();
        Assert.All(seen, p => Assert.True(p.Succeeded + p.Failed <= p.Total, $"{p.Succeeded} done of {p.Total}"));
        Assert.Equal(140, seen.Last().Total);
        Assert.Equal(100.0, seen.Last().PercentComplete);
        Assert.Equal(0, seen.Last().Remaining);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task A_continuous_run_never_reports_more_than_100_percent(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        IJobStore other = test.Open();
        BatchJob job = Stores.Seed(store, "feed", 10);
        var events = new EventLog();
        RunOptions options = RunnerTests.Fast();
        options.Continuous = true;
        options.MaxItems = 16; // ends the continuous run once the 6 added items are done

        BatchRunSummary summary = await new BatchRunner(store, AddingWhenSeen(other, "feed", "item-00009", 6), options, events.Writer).RunAsync(job);

        Assert.Equal(StopReason.MaxItemsReached, summary.StopReason);
        List<string> lines = events.Drain().OfType<BatchCompletedEvent>().Select(RunReport.BatchLine).ToList();
        Assert.NotEmpty(lines);
        foreach (string line in lines)
        {
            double percent = double.Parse(Regex.Match(line, @"\(([0-9.]+)%\)").Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.True(percent <= 100.0, line);
        }

        Assert.Contains("16 of 16 done (100.0%)", lines.Last());
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task TargetPercent_is_a_share_of_the_job_as_it_grows(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        IJobStore other = test.Open();
        BatchJob job = Stores.Seed(store, "target", 40);
        RunOptions options = RunnerTests.Fast();
        options.TargetPercent = 50;

        BatchRunSummary summary = await new BatchRunner(store, AddingWhenSeen(other, "target", "item-00005", 100), options).RunAsync(job);

        Assert.Equal(StopReason.TargetReached, summary.StopReason);
        Assert.Equal(140, summary.Total);
        Assert.Equal(70, summary.Succeeded); // half of 140, not half of the 40 the run started with
        Assert.Equal(50.0, summary.PercentComplete);
    }

    [Fact]
    public void A_percentage_never_exceeds_100()
    {
        var snapshot = new ProgressSnapshot { Total = 10, Succeeded = 16 };

        Assert.Equal(100.0, snapshot.PercentComplete);
        Assert.Contains("(100.0%)", RunReport.Status(snapshot));
    }
}
