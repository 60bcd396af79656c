using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace BatchOps.Engine.Tests;

/// <summary>An item that answers 429 for ever may pause every worker only a few times; then its attempts count.</summary>
public class RateLimitBoundTests
{
    [Fact]
    public async Task An_item_that_keeps_answering_429_pauses_the_run_a_bounded_number_of_times_then_its_attempts_count()
    {
        using var folder = new TempFolder();
        using var store = Stores.Open(folder);
        BatchJob job = Stores.Seed(store, "api", 1);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        DateTimeOffset started = time.GetUtcNow();
        DateTimeOffset? secondAttemptAt = null;
        int calls = 0;
        var options = new RunOptions { BatchSize = 1, ThrottleLimit = 1, RetryLimit = 2, RetryDelay = TimeSpan.Zero }; // default waits
        var events = new EventLog();
        var processor = DelegateProcessor.FromSync(item =>
        {
            Interlocked.Increment(ref calls);
            if (item.Attempt == 2)
            {
                secondAttemptAt ??= time.GetUtcNow();
            }

            return ItemResult.RateLimited("HTTP 429 Too Many Requests");
        });

        Task<BatchRunSummary> run = new BatchRunner(store, processor, options, time, events.Writer).RunAsync(job);
        for (int tick = 0; tick < 10_000 && !run.IsCompleted; tick++)
        {
            await Task.WhenAny(run, Task.Delay(5));
            time.Advance(TimeSpan.FromSeconds(10));
        }

        BatchRunSummary summary = await run.WaitAsync(TimeSpan.FromSeconds(60));
        int bound = options.MaxRateLimitPausesPerItem;
        Assert.InRange(bound, 1, 5);
        Assert.Equal(1, summary.Failed);
        BatchItem item = store.GetItems(store.GetJob("api"), new ItemQuery()).Single();
        Assert.Equal(ItemStatus.Failed, item.Status);
        Assert.Equal(3, item.Attempts); // RetryLimit 2: the attempts moved and ran out
        Assert.Equal(bound + 3, calls); // the paused tries of attempt 1, then attempts 1, 2 and 3
        Assert.Equal(bound, events.Drain().OfType<RunNoticeEvent>().Count(e => e.Kind == RunNoticeKind.RateLimited));

        // With the default first wait (10 s, doubling) the pauses add up to minutes, not the hour that 20 took.
        Assert.NotNull(secondAttemptAt);
        Assert.True(secondAttemptAt - started <= TimeSpan.FromMinutes(10), $"the second attempt began {(secondAttemptAt - started)?.TotalMinutes:0} minutes in");
    }
}
