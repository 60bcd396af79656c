using System;
using System.Linq;
using System.Management.Automation;
using Xunit;

namespace BatchOps.Module.Tests;

/// <summary>Every duration parameter takes seconds, a TimeSpan, or a TimeSpan string, the same way.</summary>
public class DurationTests
{
    // Every duration parameter of every cmdlet. A new one must be added here, and get [Duration] and a TimeSpan type.
    private static readonly string[] DurationParameters =
    {
        "Start-BatchRun -BackupInterval",
        "Start-BatchRun -BatchDelay",
        "Start-BatchRun -DeepSleepAfter",
        "Start-BatchRun -ItemTimeout",
        "Start-BatchRun -MaxDuration",
        "Start-BatchRun -MemoryWait",
        "Start-BatchRun -RateLimitWait",
        "Start-BatchRun -RetryDelay",
        "Start-BatchRun -StopTimeout",
        "Wait-BatchJob -PollInterval",
        "Wait-BatchJob -Timeout",
        "Watch-BatchHealth -Interval",
    };

    [Fact]
    public void Every_duration_parameter_is_a_TimeSpan_with_the_seconds_transformation()
    {
        using var session = new PowerShellSession();
        var found = session.Run(@"
            $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
            foreach ($c in Get-Command -Module BatchOps) {
                foreach ($p in $c.Parameters.Values) {
                    if ($p.Name -in $common) { continue }
                    $timeSpan = $p.ParameterType -eq [TimeSpan] -or $p.ParameterType -eq [Nullable[TimeSpan]]
                    if ($timeSpan -or $p.Name -match 'Delay|Timeout|Duration|Wait$|Interval|After$') {
                        $transformed = [bool]($p.Attributes | Where-Object { $_.GetType().Name -eq 'DurationAttribute' })
                        ""$($c.Name) -$($p.Name) $timeSpan $transformed""
                    }
                }
            }").Output.Select(o => o.ToString()).OrderBy(s => s, StringComparer.Ordinal).ToArray();

        Assert.Equal(DurationParameters.Select(p => p + " True True").ToArray(), found);
    }

    [Theory]
    [InlineData("120", "00:02:00")]
    [InlineData("0.5", "00:00:00.5000000")]
    [InlineData("'90'", "00:01:30")]
    [InlineData("'02:00:00'", "02:00:00")]
    [InlineData("([TimeSpan]::FromMinutes(3))", "00:03:00")]
    [InlineData("'1.02:03:04'", "1.02:03:04")]
    [InlineData("-5", "-00:00:05")]
    public void A_number_is_seconds_and_a_TimeSpan_or_its_text_is_itself(string argument, string expected)
    {
        using var session = new PowerShellSession();
        foreach (string parameter in DurationParameters)
        {
            string[] parts = parameter.Split(" -");
            string value = session.Run($@"
                $p = (Get-Command {parts[0]}).Parameters['{parts[1]}']
                $a = $p.Attributes | Where-Object {{ $_ -is [System.Management.Automation.ArgumentTransformationAttribute] }}
                $a.Transform($ExecutionContext, {argument}).ToString()").Single().ToString();
            Assert.True(expected == value, $"{parameter} {argument} gave {value}, not {expected}");
        }
    }

    [Fact]
    public void Text_that_is_not_a_duration_is_refused_with_an_example()
    {
        using var session = new PowerShellSession();
        var result = session.Run("Wait-BatchJob -Job j -Timeout 'two hours'");
        Assert.Equal("ParameterArgumentTransformationError", result.FirstErrorId);
        Assert.Contains("02:00:00", result.Errors[0].Exception.Message);
    }

    [Fact]
    public void MaxDuration_60_is_a_minute_not_60_ticks()
    {
        using var session = new PowerShellSession();
        PSObject summary = session.Run("'a','b','c' | Start-BatchRun -Job minute -MaxDuration 60 -ScriptBlock { $_ }").Single();
        Assert.Equal(3L, summary.Properties["Succeeded"].Value);
        Assert.Equal("Drained", summary.Properties["StopReason"].Value.ToString());
        Assert.Contains("\"MaxDurationSeconds\":60", session.Run("(Get-BatchCheckpoint -Job minute).Options").Single().ToString());
    }

    [Fact]
    public void Wait_BatchJob_Timeout_in_seconds_is_reported_as_such()
    {
        using var session = new PowerShellSession();
        session.Run("'a' | Add-BatchItem -Job pending").Single();
        var result = session.Run("Wait-BatchJob -Job pending -Timeout 0.2 -PollInterval 0.05");
        Assert.Equal("WaitTimedOut", result.FirstErrorId);
        Assert.Contains("within 200 ms", result.Errors[0].Exception.Message); // 0.2 seconds, not 0.2 ticks
    }

    [Theory]
    [InlineData("'a' | Start-BatchRun -Job j -ScriptBlock { $_ } -MaxDuration 0", "MaxDurationInvalid")]
    [InlineData("'a' | Start-BatchRun -Job j -ScriptBlock { $_ } -MaxDuration -60", "MaxDurationInvalid")]
    [InlineData("'a' | Start-BatchRun -Job j -ScriptBlock { $_ } -ItemTimeout 0", "ItemTimeoutInvalid")]
    [InlineData("'a' | Start-BatchRun -Job j -ScriptBlock { $_ } -RetryDelay -1", "RetryDelayInvalid")]
    [InlineData("'a' | Start-BatchRun -Job j -ScriptBlock { $_ } -RateLimitWait -00:00:01", "RateLimitWaitInvalid")]
    [InlineData("'a' | Start-BatchRun -Job j -ScriptBlock { $_ } -DeepSleepAfter -1", "DeepSleepInvalid")]
    [InlineData("'a' | Start-BatchRun -Job j -ScriptBlock { $_ } -DeepSleepAfter 1e9", "DeepSleepInvalid")]
    [InlineData("'a' | Start-BatchRun -Job j -ScriptBlock { $_ } -MaxDuration 100.00:00:00", "MaxDurationInvalid")]
    [InlineData("'a' | Start-BatchRun -Job j -ScriptBlock { $_ } -BatchDelay 1e9", "BatchDelayInvalid")]
    [InlineData("'a' | Start-BatchRun -Job j -ScriptBlock { $_ } -ItemTimeout 1e9", "ItemTimeoutInvalid")]
    [InlineData("'a' | Start-BatchRun -Job j -ScriptBlock { $_ } -MemoryWait 1e9", "MemoryWaitInvalid")]
    [InlineData("'a' | Start-BatchRun -Job j -ScriptBlock { $_ } -StopTimeout -1", "StopTimeoutInvalid")]
    [InlineData("'a' | Start-BatchRun -Job j -ScriptBlock { $_ } -StopTimeout -00:00:01", "StopTimeoutInvalid")]
    [InlineData("'a' | Start-BatchRun -Job j -ScriptBlock { $_ } -StopTimeout 1e9", "StopTimeoutInvalid")]
    [InlineData("Wait-BatchJob -Job j -Timeout -1", "TimeoutInvalid")]
    [InlineData("Wait-BatchJob -Job j -PollInterval 0", "PollIntervalInvalid")]
    [InlineData("Watch-BatchHealth -Interval 1 -Count 0", "HealthCountInvalid")]
    [InlineData("Watch-BatchHealth -Interval 0 -Count 1", "HealthIntervalInvalid")]
    public void Negative_and_zero_durations_are_refused_with_their_own_error(string script, string errorId)
    {
        using var session = new PowerShellSession();
        session.Run("'x' | Add-BatchItem -Job j").Single();
        Assert.Equal(errorId, session.Run(script).FirstErrorId);
    }
}
