using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using System.Management.Automation;
using Xunit;

namespace BatchOps.Module.Tests;

/// <summary>
/// A run that failed says so with one error after its summary, so that $? is false and -ErrorAction Stop throws
/// (tests/ExitCodes.Tests.ps1 checks the exit codes of `pwsh -File` itself). Refused input writes its error before
/// anything runs, as a non-terminating error for the same reason.
/// </summary>
public class RunFailureTests
{
    [Fact]
    public void Items_that_failed_give_one_RunItemsFailed_error_after_the_summary_with_counts_and_first_errors()
    {
        using var session = new PowerShellSession();
        var result = session.Run("1..4 | Start-BatchRun -Job j -RetryLimit 0 -ScriptBlock { if ($_ -ne 2) { throw \"bad $_\" }; $_ }");

        PSObject summary = Assert.Single(result.Output);
        Assert.Equal(3L, summary.Properties["Failed"].Value);
        ErrorRecord error = Assert.Single(result.Errors);
        Assert.Equal("RunItemsFailed,BatchOps.Commands.StartBatchRunCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidResult, error.CategoryInfo.Category);
        Assert.Equal("BatchRunSummary", error.TargetObject.GetType().Name);
        Assert.Contains("3 item(s) failed", error.Exception.Message);
        Assert.Contains("1 succeeded, 3 failed", error.Exception.Message);
        Assert.Contains("First errors: '", error.Exception.Message);
        Assert.Contains("bad 1", error.Exception.Message);
    }

    [Fact]
    public void Failed_items_set_dollar_question_false_and_ErrorAction_Stop_throws()
    {
        using var session = new PowerShellSession();
        var quiet = session.Run("$null = 1..2 | Start-BatchRun -Job j -RetryLimit 0 -ScriptBlock { throw 'bad' } -ErrorAction SilentlyContinue; $?");
        Assert.False((bool)quiet.Output.Last().BaseObject);

        var stopped = session.Run("1..2 | Start-BatchRun -Job k -RetryLimit 0 -ScriptBlock { throw 'bad' } -ErrorAction Stop; 'went on'");
        Assert.NotNull(stopped.Thrown);
        Assert.Equal("RunItemsFailed", stopped.FirstErrorId);
        Assert.DoesNotContain(stopped.Output, o => o.ToString() == "went on");
    }

    [Fact]
    public void A_command_that_exits_7_for_every_item_fails_the_run()
    {
        using var session = new PowerShellSession();
        var result = session.Run("1..2 | Start-BatchRun -Job j -RetryLimit 0 -Command sh -ArgumentList '-c', 'exit 7'");
        Assert.Equal("RunItemsFailed", result.FirstErrorId);
        Assert.Contains("Exit code 7", result.Errors[0].Exception.Message);
    }

    [Fact]
    public void A_run_the_circuit_breaker_stopped_says_why_in_its_summary_and_error()
    {
        using var session = new PowerShellSession();
        var result = session.Run("1..40 | Start-BatchRun -Job j -RetryLimit 0 -ThrottleLimit 1 -BatchSize 5 -MaxFailureRatio 0.5 -ScriptBlock { throw 'service down' }");

        PSObject summary = Assert.Single(result.Output);
        Assert.Equal("CircuitBroken", summary.Properties["StopReason"].Value.ToString());
        Assert.Contains("More than 50 %", (string)summary.Properties["Message"].Value);
        ErrorRecord error = Assert.Single(result.Errors);
        Assert.Equal("RunCircuitBroken", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(ErrorCategory.OperationStopped, error.CategoryInfo.Category);
        Assert.Contains("service down", error.Exception.Message);
    }

    [Fact]
    public void A_store_in_a_missing_folder_is_a_non_terminating_error_that_ErrorAction_Stop_makes_stop_the_script()
    {
        using var session = new PowerShellSession();
        var plain = session.Run("1..3 | Start-BatchRun -Job j -Store ./nope/jobs.db -ScriptBlock { $_ }; 'went on'");
        Assert.Null(plain.Thrown);
        Assert.Equal("StoreFolderNotFound", plain.FirstErrorId);
        Assert.Single(plain.Errors); // once, not once per input item

        var stopped = session.Run("1..3 | Start-BatchRun -Job j -Store ./nope/jobs.db -ScriptBlock { $_ } -ErrorAction Stop; 'went on'");
        Assert.NotNull(stopped.Thrown);
        Assert.Equal("StoreFolderNotFound", stopped.FirstErrorId);
        Assert.Empty(stopped.Output);
        Assert.False(Directory.Exists(session.File("nope")));
    }

    [Fact]
    public void A_refused_argument_is_written_before_anything_runs_and_ErrorAction_Stop_throws()
    {
        using var session = new PowerShellSession();
        var stopped = session.Run("1..3 | Start-BatchRun -Job j -BatchSize 0 -ScriptBlock { $_ } -ErrorAction Stop; 'went on'");
        Assert.NotNull(stopped.Thrown);
        Assert.Equal("BatchSizeInvalid", stopped.FirstErrorId);
        Assert.False(File.Exists(session.File("batchops.db")));
    }

    [Fact]
    public void AsJob_reports_failed_items_with_the_same_error_and_a_Failed_state()
    {
        using var session = new PowerShellSession();
        session.Run("$j = 1..3 | Start-BatchRun -Job bgfail -AsJob -RetryLimit 0 -ScriptBlock { throw 'bad' }").Output.ToList();
        var received = session.Run("$null = $j | Wait-Job; $j | Receive-Job -ErrorVariable e -ErrorAction SilentlyContinue; $e[0].FullyQualifiedErrorId.Split(',')[0]; $j.State");

        Assert.Equal("BatchOps.BatchRunSummary", received.Output[0].TypeNames[0]);
        Assert.Equal("RunItemsFailed", received.Output[1].ToString());
        Assert.Equal("Failed", received.Output[2].ToString());
    }

    [Theory]
    [InlineData("-RetryLimit 0 -ScriptBlock { if ($_ % 2) { throw 'bad' }; $_ }", "RunItemsFailed", ErrorCategory.InvalidResult)]
    [InlineData("-RetryLimit 0 -ThrottleLimit 1 -MaxFailureRatio 0.5 -ScriptBlock { throw 'service down' }", "RunCircuitBroken", ErrorCategory.OperationStopped)]
    public void A_run_and_its_AsJob_report_the_same_failure_with_the_same_error(string parameters, string errorId, ErrorCategory category)
    {
        using var session = new PowerShellSession();
        var direct = session.Run($"1..30 | Start-BatchRun -Job j -Store ./direct.db {parameters}");
        session.Run($"$j = 1..30 | Start-BatchRun -Job j -Store ./background.db -AsJob {parameters}").Output.ToList();
        var received = session.Run("$null = $j | Wait-Job; $null = $j | Receive-Job -ErrorVariable e -ErrorAction SilentlyContinue; $e[0]");

        ErrorRecord inline = Assert.Single(direct.Errors);
        var job = (ErrorRecord)Assert.Single(received.Output).BaseObject;
        Assert.Equal(errorId, inline.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(errorId, job.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(category, inline.CategoryInfo.Category);
        Assert.Equal(category, job.CategoryInfo.Category);
        Assert.Equal(inline.TargetObject.GetType(), job.TargetObject.GetType());
        Assert.Equal(inline.Exception.Message.Split(':')[0], job.Exception.Message.Split(':')[0]); // Run 1 of job 'j' ...
    }

    [Fact]
    public void A_successful_run_writes_no_error()
    {
        using var session = new PowerShellSession();
        var result = session.Run("1..3 | Start-BatchRun -Job j -ScriptBlock { $_ }");
        Assert.Empty(result.Errors);
        Assert.Null(result.Thrown);
    }

    [Fact]
    public async Task Remove_BatchJob_Force_under_a_live_run_stops_it_with_a_clear_reason()
    {
        using var session = new PowerShellSession();
        string started = session.File("started.txt");
        string release = session.File("release.txt");
        using var shell = session.NewShell();
        shell.AddScript(
            "1..6 | Start-BatchRun -Job doomed -BatchSize 1 -ThrottleLimit 1 -ScriptBlock { " +
            $"[System.IO.File]::WriteAllText('{started}', ''); while (-not [System.IO.File]::Exists('{release}')) {{ [System.Threading.Thread]::Sleep(20) }}; $_ }}");
        IAsyncResult running = shell.BeginInvoke();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!File.Exists(started))
        {
            Assert.True(DateTime.UtcNow < deadline, "the first item never started");
            await Task.Delay(20);
        }

        using (var other = new PowerShellSession(session.Folder))
        {
            Assert.Empty(other.Run("Remove-BatchJob -Job doomed -Force -Confirm:$false").Errors);
        }

        File.WriteAllText(release, "");
        PSObject summary = shell.EndInvoke(running).Single();

        Assert.Equal("Stopped", summary.Properties["State"].Value.ToString());
        Assert.Equal("JobRemoved", summary.Properties["StopReason"].Value.ToString());
        ErrorRecord error = Assert.Single(shell.Streams.Error);
        Assert.Equal("JobRemoved", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("removed or cleared while this run was processing it", error.Exception.Message);
        Assert.DoesNotContain("FOREIGN KEY", error.Exception.Message);
    }
}
