using System.IO;
using System.Linq;
using Xunit;

namespace BatchOps.Module.Tests;

/// <summary>Every bad argument is refused with its own ErrorId before anything is written.</summary>
public class ErrorTests
{
    [Theory]
    [InlineData("-BatchSize 0", "BatchSizeInvalid")]
    [InlineData("-ThrottleLimit 0", "ThrottleLimitInvalid")]
    [InlineData("-TargetPercent 150", "TargetPercentInvalid")]
    [InlineData("-BatchDelay -1", "BatchDelayInvalid")]
    [InlineData("-RetryLimit -2", "RetryLimitInvalid")]
    [InlineData("-ItemTimeout 0", "ItemTimeoutInvalid")]
    [InlineData("-RateLimit 0", "RateLimitInvalid")]
    [InlineData("-MaxItems 0", "MaxItemsInvalid")]
    [InlineData("-Key 42", "KeySelectorInvalid")]
    public void Bad_run_options_are_refused_and_no_store_is_created(string option, string errorId)
    {
        using var session = new PowerShellSession();
        var result = session.Run($"'a','b' | Start-BatchRun -Job j -ScriptBlock {{ $_ }} {option}");

        Assert.Equal(errorId, result.FirstErrorId);
        Assert.Empty(result.Output);
        Assert.False(File.Exists(session.File("batchops.db")));
    }

    [Fact]
    public void A_run_without_a_processor_is_refused()
    {
        using var session = new PowerShellSession();
        var result = session.Run("'a' | Start-BatchRun -Job j");
        Assert.Equal("ProcessorMissing", result.FirstErrorId);
        Assert.Contains("-ScriptBlock", result.Errors[0].Exception.Message);
    }

    [Fact]
    public void Resuming_an_unknown_job_is_refused_and_names_the_jobs_there_are()
    {
        using var session = new PowerShellSession();
        session.Run("'a' | Add-BatchItem -Job embed-chunks").Single();
        var result = session.Run("Start-BatchRun -Job embed-chunk -ScriptBlock { $_ }");
        Assert.Equal("JobNotFound", result.FirstErrorId);
        Assert.Contains("'embed-chunks'", result.Errors[0].Exception.Message);
        Assert.Equal("ObjectNotFound", result.Errors[0].CategoryInfo.Category.ToString());
        Assert.Equal("embed-chunk", result.Errors[0].TargetObject);
    }

    [Fact]
    public void Resuming_with_no_store_at_all_creates_nothing()
    {
        using var session = new PowerShellSession();
        var result = session.Run("Start-BatchRun -Job j -ScriptBlock { $_ }");
        Assert.Equal("StoreNotFound", result.FirstErrorId);
        Assert.False(File.Exists(session.File("batchops.db")));
    }

    [Fact]
    public void A_store_in_a_missing_folder_is_refused()
    {
        using var session = new PowerShellSession();
        var result = session.Run("'a' | Start-BatchRun -Job j -Store ./nope/jobs.db -ScriptBlock { $_ }");
        Assert.Equal("StoreFolderNotFound", result.FirstErrorId);
        Assert.False(Directory.Exists(session.File("nope")));
    }

    [Fact]
    public void A_store_that_is_not_sqlite_is_refused_and_left_as_it_was()
    {
        using var session = new PowerShellSession();
        File.WriteAllText(session.File("notes.txt"), "not a database");
        var result = session.Run("'a' | Start-BatchRun -Job j -Store notes.txt -ScriptBlock { $_ }");
        Assert.Equal("StoreNotSqlite", result.FirstErrorId);
        Assert.Equal("not a database", File.ReadAllText(session.File("notes.txt")));
    }

    [Fact]
    public void A_missing_key_property_is_refused_before_anything_is_written()
    {
        using var session = new PowerShellSession();
        var result = session.Run("[pscustomobject]@{ Sku = 'A1'; Title = 'Mug' } | Start-BatchRun -Job products -Key ProductId -ScriptBlock { $_ }");
        Assert.Equal("KeyPropertyNotFound", result.FirstErrorId);
        Assert.Contains("Sku, Title", result.Errors[0].Exception.Message);
        Assert.False(File.Exists(session.File("batchops.db")));
    }

    [Fact]
    public void An_empty_key_is_refused_and_says_how_many_items_were_already_added()
    {
        using var session = new PowerShellSession();
        var result = session.Run("@([pscustomobject]@{ Id = 'x1' }, [pscustomobject]@{ Id = '' }) | Add-BatchItem -Job j");
        Assert.Equal("KeyEmpty", result.FirstErrorId);
        Assert.False(File.Exists(session.File("batchops.db"))); // the first item was not yet written: nothing was

        // Past a written chunk, the message says what is already in the job.
        result = session.Run("$(1..2500) + @('') | Add-BatchItem -Job big");
        Assert.Equal("KeyEmpty", result.FirstErrorId);
        Assert.Contains("2,000 item(s) before it were already added", result.Errors[0].Exception.Message);
        Assert.Equal(2000L, session.Run("(Get-BatchJob big).Total").Single().BaseObject);
    }

    [Fact]
    public void An_object_with_no_key_is_refused_with_advice()
    {
        using var session = new PowerShellSession();
        var result = session.Run("[pscustomobject]@{ Title = 'Mug' } | Add-BatchItem -Job j");
        Assert.Equal("KeyNotInferable", result.FirstErrorId);
        Assert.Contains("Title", result.Errors[0].Exception.Message);
        Assert.Contains("-Key", result.Errors[0].ErrorDetails.RecommendedAction);
    }

    [Fact]
    public void A_command_that_cannot_be_found_is_refused_before_the_store_is_touched()
    {
        using var session = new PowerShellSession();
        var result = session.Run("'a' | Start-BatchRun -Job j -Command no-such-program-xyz -ArgumentList '{Key}'");
        Assert.Equal("CommandNotFound", result.FirstErrorId);
        Assert.False(File.Exists(session.File("batchops.db")));
    }

    [Fact]
    public void A_store_outside_the_file_system_is_refused()
    {
        using var session = new PowerShellSession();
        var result = session.Run("$null = $ExecutionContext.SessionState.Path.SetLocation('Variable:\\'); 'a' | Add-BatchItem -Job j");
        Assert.Equal("StoreLocationNotFileSystem", result.FirstErrorId);
    }

    [Fact]
    public void Reading_commands_report_a_missing_job_as_a_non_terminating_error()
    {
        using var session = new PowerShellSession();
        session.Run("'a' | Add-BatchItem -Job real").Single();
        var result = session.Run("Get-BatchJob -Name real, ghost");
        Assert.Single(result.Output);
        Assert.Equal("JobNotFound", result.FirstErrorId);
    }
}
