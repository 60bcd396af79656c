using System;
using Xunit;

namespace BatchOps.Engine.Tests;

/// <summary>The words a person reads come from one place, in the invariant culture.</summary>
public class WordingTests
{
    [Fact]
    public void The_job_status_sentence_counts_every_state()
    {
        var job = new BatchJob { Name = "embed", Total = 2_001, Succeeded = 1_000, Failed = 3, Pending = 990, Running = 8 };
        Assert.Equal("1,000 of 2,001 succeeded (50.0%), 3 failed, 998 remaining", Wording.JobStatus(job));
    }

    [Theory]
    [InlineData(0.85, "850 ms")]
    [InlineData(12.5, "12.5 s")]
    [InlineData(1_161, "19m 21s")]
    [InlineData(11_040, "3h 04m")]
    public void Durations_read_as_a_person_says_them(double seconds, string expected) =>
        Assert.Equal(expected, Wording.Duration(TimeSpan.FromSeconds(seconds)));

    [Theory]
    [InlineData(0.25, "0.25")]
    [InlineData(5, "5")]
    [InlineData(-1, "-1")]
    public void Seconds_are_plain_invariant_numbers(double seconds, string expected) =>
        Assert.Equal(expected, Wording.Seconds(TimeSpan.FromSeconds(seconds)));

    [Theory]
    [InlineData(512L, "512 bytes")]
    [InlineData(12_288L, "12.0 KB")]
    [InlineData(2_097_152L, "2.0 MB")]
    public void Sizes_use_binary_units(long bytes, string expected) => Assert.Equal(expected, Wording.Size(bytes));

    [Fact]
    public void Minutes_are_given_to_two_decimals_or_whole()
    {
        Assert.Equal("0.5", Wording.Minutes(TimeSpan.FromSeconds(30)));
        Assert.Equal("12", Wording.WholeMinutes(TimeSpan.FromSeconds(779)));
    }

    [Fact]
    public void An_abandoned_item_says_how_often_it_was_started_and_names_no_command()
    {
        string message = Wording.Abandoned(3);
        Assert.Contains("after 3 starts that never finished", message);
        Assert.DoesNotContain("-BatchItem", message);
    }
}
