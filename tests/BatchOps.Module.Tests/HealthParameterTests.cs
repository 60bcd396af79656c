using System;
using System.Linq;
using System.Management.Automation;
using Xunit;

namespace BatchOps.Module.Tests;

/// <summary>
/// The health commands' parameter checks, which live in the module (they speak of parameters): -Threshold's hashtable,
/// Watch-BatchHealth's -Interval and -Count, and -AutoRestore's companions. (Moved from the engine's HealthTests.)
/// </summary>
public class HealthParameterTests
{
    /// <summary>Calls the module's -Threshold binder on a hashtable written in PowerShell.</summary>
    private static PSObject Thresholds(PowerShellSession session, string hashtable) => session.Run(
        "$t = [BatchOps.Commands.GetBatchHealthCommand].Assembly.GetType('BatchOps.Infrastructure.HealthParameters'); " +
        $"try {{ $t.GetMethod('Thresholds').Invoke($null, @(, {hashtable})) }} catch {{ $_.Exception.InnerException.ErrorId; $_.Exception.InnerException.Message }}").Output.First();

    [Fact]
    public void Thresholds_come_from_a_hashtable_with_durations_in_minutes_or_as_TimeSpans()
    {
        using var session = new PowerShellSession();
        PSObject thresholds = Thresholds(session, "@{ memorycriticalpercent = 95; MemoryDegradedPercent = '85'; StallDegraded = 20; StallCritical = [TimeSpan]::FromHours(1); Window = '00:30:00' }");
        Assert.Equal(95.0, Convert.ToDouble(thresholds.Properties["MemoryCriticalPercent"].Value));
        Assert.Equal(85.0, Convert.ToDouble(thresholds.Properties["MemoryDegradedPercent"].Value));
        Assert.Equal(TimeSpan.FromMinutes(20), thresholds.Properties["StallDegraded"].Value);
        Assert.Equal(TimeSpan.FromHours(1), thresholds.Properties["StallCritical"].Value);
        Assert.Equal(TimeSpan.FromMinutes(30), thresholds.Properties["Window"].Value);
        Assert.Equal(3.0, Convert.ToDouble(thresholds.Properties["DiskCriticalPercent"].Value)); // untouched: the default

        var unknown = session.Run("Get-BatchHealth -Threshold @{ Memory = 5 }");
        Assert.Equal("HealthThresholdInvalid", unknown.FirstErrorId);
        Assert.Contains("Use one of: MemoryDegradedPercent", unknown.Errors[0].Exception.Message);
        var bad = session.Run("Get-BatchHealth -Threshold @{ StallDegraded = 'soon' }");
        Assert.Equal("HealthThresholdInvalid", bad.FirstErrorId);
        Assert.Contains("duration", bad.Errors[0].Exception.Message);
        Assert.Equal("HealthThresholdInvalid", session.Run("Get-BatchHealth -Threshold @{ MemoryDegradedPercent = 99 }").FirstErrorId); // above Critical
    }

    [Theory]
    [InlineData("-Interval 0")]
    [InlineData("-Interval -1")]
    [InlineData("-Interval 90000")]
    public void A_watch_schedule_that_cannot_work_is_refused(string parameters)
    {
        using var session = new PowerShellSession();
        Assert.Equal("HealthIntervalInvalid", session.Run($"Watch-BatchHealth {parameters}").FirstErrorId);
    }

    [Fact]
    public void A_sample_count_below_one_is_refused_as_a_count_not_an_interval()
    {
        using var session = new PowerShellSession();
        var refused = session.Run("Watch-BatchHealth -Interval 30 -Count 0");
        Assert.Equal("HealthCountInvalid", refused.FirstErrorId);
        Assert.Contains("it was 0", refused.Errors[0].Exception.Message);
    }

    [Theory]
    [InlineData("-AutoRestore -VectorStorePath ./index.bin")]
    [InlineData("-AutoRestore -BackupDestination ./backups")]
    public void Auto_restore_needs_a_backup_folder_and_watched_paths(string parameters)
    {
        using var session = new PowerShellSession();
        var refused = session.Run($"Watch-BatchHealth -Count 1 {parameters}");
        Assert.Equal("AutoRestoreInvalid", refused.FirstErrorId);
        Assert.Contains("-AutoRestore needs -VectorStorePath", refused.Errors[0].Exception.Message);
    }
}
