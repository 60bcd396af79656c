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

public class CompletionTests
{
    private static string[] Complete(PowerShellSession session, string input) =>
        session.Run($"[System.Management.Automation.CommandCompletion]::CompleteInput('{input.Replace("'", "''")}', {input.Length}, $null).CompletionMatches | ForEach-Object CompletionText")
            .Output.Select(o => o.ToString()).ToArray();

    [Fact]
    public void Job_names_complete_from_the_store_in_the_current_location()
    {
        using var session = new PowerShellSession();
        session.Run("'a' | Add-BatchItem -Job embed-chunks; 'b' | Add-BatchItem -Job embed-docs; 'c' | Add-BatchItem -Job import").Output.ToList();
        Assert.Equal(new[] { "embed-chunks", "embed-docs" }, Complete(session, "Get-BatchItem -Job emb"));
        Assert.Equal(new[] { "import" }, Complete(session, "Start-BatchRun -Job im"));
        Assert.Equal(new[] { "embed-chunks", "embed-docs", "import" }, Complete(session, "Get-BatchJob "));
    }

    [Fact]
    public void Job_names_complete_from_the_store_given_with_Store()
    {
        using var session = new PowerShellSession();
        System.IO.Directory.CreateDirectory(session.File("elsewhere"));
        session.Run("'a' | Add-BatchItem -Job far-away -Store elsewhere/jobs.db").Output.ToList();
        Assert.Equal(new[] { "far-away" }, Complete(session, "Get-BatchCheckpoint -Store elsewhere/jobs.db -Job f"));
        Assert.Empty(Complete(session, "Get-BatchCheckpoint -Job f")); // no store here: nothing, and no error
    }

    [Fact]
    public void Status_completes_item_statuses()
    {
        using var session = new PowerShellSession();
        Assert.Equal(new[] { "Failed" }, Complete(session, "Get-BatchItem -Job x -Status F"));
        Assert.Equal(new[] { "Pending" }, Complete(session, "Reset-BatchItem -Job x -Status P"));
    }
}

public class AsJobTests
{
    [Fact]
    public void AsJob_runs_in_the_background_and_Receive_Job_returns_the_summary()
    {
        using var session = new PowerShellSession();
        PSObject job = session.Run("1..5 | Start-BatchRun -Job bg -AsJob -ScriptBlock { $_ * 2 }").Single();
        Assert.Equal("BatchOpsRun", job.Properties["PSJobTypeName"].Value);

        PSObject summary = session.Run("Get-Job -Name 'BatchOps:bg' | Wait-Job | Receive-Job").Single();
        Assert.Equal("BatchOps.BatchRunSummary", summary.TypeNames[0]);
        Assert.Equal(5L, summary.Properties["Succeeded"].Value);
        Assert.Equal("Completed", session.Run("(Get-Job -Name 'BatchOps:bg').State").Single().ToString());
        Assert.Equal("10", session.Run("(Get-BatchItem -Job bg -Key 5).Result").Single().ToString());
    }

    [Fact]
    public async Task Stop_Job_stops_the_run_gracefully()
    {
        using var session = new PowerShellSession();
        string started = session.File("started.log");
        session.Run("$j = 1..20 | Start-BatchRun -Job slowbg -AsJob -BatchSize 1 -ThrottleLimit 1 -ScriptBlock { " +
                    $"[System.IO.File]::AppendAllText('{started}', \"$_`n\"); [System.Threading.Thread]::Sleep(200); $_ }}").Output.ToList();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!File.Exists(started))
        {
            Assert.True(DateTime.UtcNow < deadline, "the background run never started");
            await Task.Delay(20);
        }

        session.Run("$j | Stop-Job").Output.ToList();

        Assert.Equal("Stopped", session.Run("$j.State").Single().ToString());
        PSObject summary = session.Run("$j | Receive-Job").Single();
        Assert.Equal("StopRequested", summary.Properties["StopReason"].Value.ToString());
        PSObject batchJob = session.Run("Get-BatchJob slowbg").Single();
        Assert.Equal(0L, batchJob.Properties["Running"].Value);
        Assert.True((long)batchJob.Properties["Pending"].Value > 0);
    }
}
