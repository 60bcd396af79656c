using BatchOps.Engine.Running;
using Xunit;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Tests;

public class TargetPercentTests
{
    private static BatchJob Job(long total, long pending, long succeeded, long failed) =>
        new BatchJob { Name = "j", Total = total, Pending = pending, Succeeded = succeeded, Failed = failed };

    [Fact]
    public void A_job_at_1000_of_2001_with_nothing_left_has_missed_50_percent_for_good()
    {
        TargetPercent half = TargetPercent.Create(50);

        Assert.Equal(1001, half.CountFor(2001));
        Assert.False(half.IsReachedBy(1000, 2001));
        Assert.False(half.CanStillReach(1000, remaining: 0, total: 2001));
        Assert.True(half.CanStillReach(1000, remaining: 1, total: 2001));
        Assert.True(half.IsReachedBy(1001, 2001));

        // What Wait-BatchJob and Test-BatchJob judge: unreachable, not waited on.
        var condition = new JobCondition { TargetPercent = 50 };
        BatchJob job = Job(2001, 0, 1000, 1001);
        Assert.False(condition.IsMet(job));
        Assert.Contains("short of 50%", condition.Unreachable(job));
    }

    [Theory]
    [InlineData(50, 10, 5)]
    [InlineData(50, 11, 6)]
    [InlineData(100, 7, 7)]
    [InlineData(0.1, 1, 1)]
    [InlineData(33.3, 1000, 333)]
    [InlineData(70, 10, 7)] // 0.7 * 10 is 7.000000000000001 in binary: still 7
    [InlineData(50, 0, 0)]
    public void The_count_for_a_total_is_the_percentage_rounded_up(double percent, long total, long expected)
    {
        Assert.Equal(expected, TargetPercent.Create(percent).CountFor(total));
    }

    [Fact]
    public void An_empty_job_never_reaches_a_target()
    {
        TargetPercent target = TargetPercent.Create(1);
        Assert.False(target.IsReachedBy(0, 0));
        Assert.False(target.CanStillReach(0, 0, 0));
    }

    [Fact]
    public void Items_in_flight_count_towards_what_is_still_needed()
    {
        TargetPercent target = TargetPercent.Create(50);
        Assert.Equal(3, target.StillNeeded(succeeded: 2, inFlight: 0, total: 10));
        Assert.Equal(1, target.StillNeeded(succeeded: 2, inFlight: 2, total: 10));
        Assert.Equal(0, target.StillNeeded(succeeded: 4, inFlight: 5, total: 10));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(100.5)]
    [InlineData(double.NaN)]
    public void A_percentage_outside_0_to_100_is_refused_with_its_value(double value)
    {
        Assert.False(TargetPercent.IsValid(value));
        Assert.Null(TargetPercent.TryCreate(value));
        var e = Assert.Throws<BatchOpsException>(() => TargetPercent.Create(value));
        Assert.Equal(ErrorIds.TargetPercentInvalid, e.ErrorId);
        Assert.Equal(BatchOpsErrorCategory.InvalidArgument, e.Category);
        Assert.Contains("more than 0 and at most 100", e.Message);
    }

    [Fact]
    public void It_prints_as_the_user_wrote_it()
    {
        Assert.Equal("50", TargetPercent.Create(50).ToString());
        Assert.Equal("99.5", TargetPercent.Create(99.5).ToString());
    }
}
