using System;
using BatchOps.Engine.Running;
using Xunit;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Tests;

public class RunOptionsTests
{
    public static TheoryData<Action<RunOptions>, string> BadOptions => new()
    {
        { o => o.BatchSize = 0, ErrorIds.BatchSizeInvalid },
        { o => o.BatchSize = RunOptions.MaxBatchSize + 1, ErrorIds.BatchSizeInvalid },
        { o => o.ThrottleLimit = 0, ErrorIds.ThrottleLimitInvalid },
        { o => o.BatchDelay = TimeSpan.FromSeconds(-1), ErrorIds.BatchDelayInvalid },
        { o => o.RetryLimit = -1, ErrorIds.RetryLimitInvalid },
        { o => o.RetryDelay = TimeSpan.FromSeconds(-1), ErrorIds.RetryDelayInvalid },
        { o => o.MaxRetryDelay = TimeSpan.FromMilliseconds(10), ErrorIds.RetryDelayInvalid },
        { o => o.ItemTimeout = TimeSpan.Zero, ErrorIds.ItemTimeoutInvalid },
        { o => o.RateLimit = 0, ErrorIds.RateLimitInvalid },
        { o => o.RateLimit = double.NaN, ErrorIds.RateLimitInvalid },
        { o => o.TargetPercent = 150, ErrorIds.TargetPercentInvalid },
        { o => o.TargetPercent = 0, ErrorIds.TargetPercentInvalid },
        { o => o.MaxItems = 0, ErrorIds.MaxItemsInvalid },
        { o => o.MaxDuration = TimeSpan.Zero, ErrorIds.MaxDurationInvalid },
        { o => o.LeaseDuration = TimeSpan.Zero, ErrorIds.LeaseDurationInvalid },
        { o => o.MaxResultLength = -1, ErrorIds.MaxResultLengthInvalid },
        { o => o.StopTimeout = TimeSpan.FromSeconds(-1), ErrorIds.StopTimeoutInvalid },
        { o => o.StopTimeout = TimeSpan.FromHours(2), ErrorIds.StopTimeoutInvalid },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Each_bad_option_is_refused_with_its_own_error_id(Action<RunOptions> spoil, string errorId)
    {
        var options = new RunOptions();
        spoil(options);
        var e = Assert.Throws<BatchOpsException>(options.Validate);
        Assert.Equal(errorId, e.ErrorId);
        Assert.Equal(BatchOpsErrorCategory.InvalidArgument, e.Category);
        Assert.NotNull(e.Target);
    }

    [Fact]
    public void The_defaults_are_those_of_the_replaced_scripts_and_valid()
    {
        var options = new RunOptions();
        options.Validate();
        Assert.Equal(5, options.BatchSize);
        Assert.Equal(5, options.ThrottleLimit);
        Assert.Equal(3, options.RetryLimit);
        Assert.Equal(TimeSpan.Zero, options.BatchDelay);
    }

    [Fact]
    public void Messages_say_what_was_given_and_what_to_use()
    {
        var e = Assert.Throws<BatchOpsException>(new RunOptions { TargetPercent = 150 }.Validate);
        Assert.Contains("150", e.Message);
        Assert.Contains("at most 100", e.Message);
    }

    [Fact]
    public async System.Threading.Tasks.Task A_run_with_a_bad_option_writes_nothing()
    {
        using var folder = new TempFolder();
        using var store = Stores.Open(folder);
        BatchOps.BatchJob job = Stores.Seed(store, "untouched", 3);
        var runner = new BatchRunner(store, Processors.Succeed(), new RunOptions { BatchSize = 0 });
        var e = await Assert.ThrowsAsync<BatchOpsException>(() => runner.RunAsync(job));
        Assert.Equal(ErrorIds.BatchSizeInvalid, e.ErrorId);
        Assert.Null(store.GetCheckpoint(job));
        Assert.Equal(3, store.GetJob("untouched").Pending);
    }
}

public class ProgressCalculatorTests
{
    [Fact]
    public void The_rate_follows_the_recent_window()
    {
        var progress = new ProgressCalculator(startMs: 0, window: TimeSpan.FromSeconds(10));
        progress.Record(5_000, 50);    // 10/s for the first 5 s
        progress.Record(20_000, 100);  // then slower
        progress.Record(30_000, 120);
        Assert.Equal(2.0, progress.Rate(30_000, 120), 3); // (120-100)/10 s; the first samples are outside the window
    }

    [Fact]
    public void A_young_run_uses_its_average_since_the_start()
    {
        var progress = new ProgressCalculator(startMs: 1_000);
        Assert.Equal(20.0, progress.Rate(1_500, 10), 3);
    }

    [Fact]
    public void The_eta_is_the_remaining_items_at_the_rate()
    {
        Assert.Equal(TimeSpan.FromSeconds(50), ProgressCalculator.Eta(2.0, 100));
        Assert.Null(ProgressCalculator.Eta(0, 100));
        Assert.Equal(TimeSpan.Zero, ProgressCalculator.Eta(0, 0));
    }
}
