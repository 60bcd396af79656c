using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using Xunit;

namespace BatchOps.Module.Tests;

/// <summary>Stop-BatchRun, Wait-BatchJob, Test-BatchJob and unattended use (-LogPath, -ErrorAction Stop).</summary>
public class ControlTests
{
    [Fact]
    public void Test_BatchJob_answers_true_or_false()
    {
        using var session = new PowerShellSession();
        session.Run("1..4 | Start-BatchRun -Job half -MaxItems 2 -ScriptBlock { $_ }").Single();
        Assert.Equal(false, session.Run("Test-BatchJob -Job half").Single().BaseObject);
        Assert.Equal(true, session.Run("Test-BatchJob -Job half -TargetPercent 50").Single().BaseObject);
        Assert.Equal(false, session.Run("Test-BatchJob -Job half -TargetPercent 75").Single().BaseObject);
        session.Run("Start-BatchRun -Job half -ScriptBlock { $_ }").Single();
        Assert.Equal(true, session.Run("Test-BatchJob -Job half -Complete -NoFailures").Single().BaseObject);
        Assert.Equal(true, session.Run("Get-BatchJob half | Test-BatchJob").Single().BaseObject);
    }

    [Fact]
    public void Wait_BatchJob_returns_the_checkpoint_once_the_target_is_reached()
    {
        using var session = new PowerShellSession();
        session.Run("1..4 | Start-BatchRun -Job w -MaxItems 2 -ScriptBlock { $_ }").Single();
        PSObject reached = session.Run("Wait-BatchJob -Job w -TargetPercent 50 -PollInterval 0.05").Single();
        Assert.Equal("BatchOps.BatchCheckpoint", reached.TypeNames[0]);

        var timedOut = session.Run("Wait-BatchJob -Job w -Complete -Timeout 00:00:00.2 -PollInterval 0.05");
        Assert.Equal("WaitTimedOut", timedOut.FirstErrorId);
    }

    [Fact]
    public async Task Stop_BatchRun_stops_a_run_in_another_pipeline_and_it_resumes_later()
    {
        using var session = new PowerShellSession();
        using var other = new PowerShellSession(session.Folder); // another "window" on the same folder and store
        string started = session.File("started.log");
        using PowerShell running = session.NewShell();
        running.AddScript(
            "1..10 | Start-BatchRun -Job long -BatchSize 1 -ThrottleLimit 1 -ScriptBlock { " +
            $"[System.IO.File]::AppendAllText('{started}', \"$_`n\"); [System.Threading.Thread]::Sleep(300); $_ }}");
        IAsyncResult handle = running.BeginInvoke();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!File.Exists(started))
        {
            Assert.True(DateTime.UtcNow < deadline, "the run never started");
            await Task.Delay(20);
        }

        other.Run("Stop-BatchRun -Job long").Output.ToList();
        PSObject summary = running.EndInvoke(handle).Single();

        Assert.Equal("Stopped", summary.Properties["State"].Value.ToString());
        Assert.Equal("StopRequested", summary.Properties["StopReason"].Value.ToString());
        Assert.True((long)summary.Properties["Remaining"].Value > 0);
        Assert.Equal(0L, session.Run("(Get-BatchJob long).Running").Single().BaseObject);

        Assert.Equal("RunNotActive", other.Run("Stop-BatchRun -Job long").FirstErrorId);
        PSObject resumed = session.Run("Start-BatchRun -Job long -ScriptBlock { $_ }").Single();
        Assert.Equal("Completed", resumed.Properties["State"].Value.ToString());
    }

    [Fact]
    public void LogPath_writes_a_readable_line_per_batch_and_json_lines()
    {
        using var session = new PowerShellSession();
        session.Run("1..6 | Start-BatchRun -Job logged -BatchSize 2 -LogPath logs -ScriptBlock { if ($_ -eq 4) { throw 'four is bad' }; $_ } -RetryLimit 0 -ErrorAction SilentlyContinue").Single();

        string logs = session.File("logs");
        string text = File.ReadAllText(Directory.GetFiles(logs, "batchops_*.log").Single());
        Assert.Equal(3, text.Split('\n').Count(l => l.Contains("] Batch ") && l.Contains(" complete: ")));
        Assert.Contains("Item '4' failed after 1 attempt(s): four is bad", text);
        Assert.Contains("Run 1 of 'logged' Completed (Drained): 5 succeeded, 1 failed", text);
        string[] json = File.ReadAllLines(Directory.GetFiles(logs, "batchops_*.jsonl").Single());
        Assert.Contains(json, l => l.Contains("\"event\":\"RunFinished\""));
    }

    [Fact]
    public void A_refused_run_is_written_to_the_log_too()
    {
        using var session = new PowerShellSession();
        session.Run("Start-BatchRun -Job nothing-here -LogPath logs -ScriptBlock { $_ }");
        string text = File.ReadAllText(Directory.GetFiles(session.File("logs"), "batchops_*.log").Single());
        Assert.Contains("ERROR: There is no BatchOps store", text);
    }
}
