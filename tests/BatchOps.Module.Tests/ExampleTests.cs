using System.IO;
using System.Linq;
using System.Management.Automation;
using Xunit;

namespace BatchOps.Module.Tests;

/// <summary>The README's main job, examples/QuickStart.ps1, run as written.</summary>
public class ExampleTests
{
    [Fact]
    public void The_quick_start_runs_to_50_percent_shows_the_checkpoint_and_resumes_to_the_end()
    {
        using var session = new PowerShellSession();
        string script = Path.Combine(PowerShellSession.RepositoryRoot, "examples", "QuickStart.ps1");
        string store = session.File("quickstart.db");

        var result = session.Run($"& '{script}' -Store '{store}' -Chunks 40");

        Assert.True(result.Errors.Count == 0 && result.Thrown == null, result.Thrown?.Message ?? (result.Errors.Count > 0 ? result.Errors[0].ToString() : ""));
        Assert.Equal(new[] { "BatchOps.BatchRunSummary", "BatchOps.BatchCheckpoint", "BatchOps.BatchRunSummary", "BatchOps.BatchJob" }, result.Output.Select(o => o.TypeNames[0]));
        PSObject first = result.Output[0], checkpoint = result.Output[1], second = result.Output[2], job = result.Output[3];
        Assert.Equal("TargetReached", first.Properties["StopReason"].Value.ToString());
        Assert.Equal(20L, first.Properties["Succeeded"].Value);
        Assert.Equal(20L, checkpoint.Properties["Remaining"].Value);
        Assert.Equal(0L, second.Properties["Added"].Value);
        Assert.Equal(20L, second.Properties["Skipped"].Value);
        Assert.Equal(20L, second.Properties["Succeeded"].Value);
        Assert.Equal(100.0, job.Properties["PercentComplete"].Value);

        // Every seventh chunk needed a second attempt.
        Assert.Equal(2, session.Run($"(Get-BatchItem -Job quickstart -Store '{store}' -Key chunk-0007).Attempts").Single().BaseObject);

        // A second run of the script starts afresh.
        var again = session.Run($"& '{script}' -Store '{store}' -Chunks 40");
        Assert.Equal(20L, again.Output[0].Properties["Succeeded"].Value);
    }

    [Fact]
    public void The_background_processor_backs_up_sleeps_wakes_suspends_and_recovers_its_vector_store()
    {
        using var session = new PowerShellSession();
        string script = Path.Combine(PowerShellSession.RepositoryRoot, "examples", "BackgroundProcessor.ps1");

        var result = session.Run($"& '{script}' -Folder '{session.File("background")}' -Documents 6");

        Assert.True(result.Errors.Count == 0 && result.Thrown == null, result.Thrown?.Message ?? (result.Errors.Count > 0 ? result.Errors[0].ToString() : ""));
        Assert.Equal(
            new[] { "BatchOps.BatchRunSummary", "BatchOps.BatchCheckpoint", "BatchOps.HealthSample", "BatchOps.HealthSample", "BatchOps.HealthSample" },
            result.Output.Select(o => o.TypeNames[0]));
        PSObject summary = result.Output[0], checkpoint = result.Output[1];
        Assert.Equal("StopRequested", summary.Properties["StopReason"].Value.ToString());
        Assert.Equal(12L, summary.Properties["Succeeded"].Value);
        Assert.StartsWith("documents-", (string)checkpoint.Properties["LastBackup"].Value);

        PSObject lost = result.Output[3], restored = result.Output[4];
        Assert.Equal("Critical", lost.Properties["Status"].Value.ToString());
        Assert.Equal(11L, lost.Properties["VectorStoreLoss"].Value);
        Assert.StartsWith("Restored backup set 'documents-", (string)lost.Properties["Action"].Value);
        Assert.Equal(12L, restored.Properties["VectorStoreItems"].Value);
    }
}
