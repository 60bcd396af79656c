using System.IO;
using System.Linq;
using System.Management.Automation;
using Xunit;

namespace BatchOps.Module.Tests;

/// <summary>The cmdlets composed as a user would: pipelines, -WhatIf, resume, the store fallbacks.</summary>
public class PipelineTests
{
    [Fact]
    public void Failed_items_piped_to_Reset_BatchItem_go_back_to_pending_and_a_rerun_finishes_them()
    {
        using var session = new PowerShellSession();
        var first = session.Run("1..6 | Start-BatchRun -Job flaky -RetryLimit 0 -ScriptBlock { if ($_ % 3 -eq 0 -and -not $second) { throw \"item $_ failed\" }; $_ } -ErrorAction SilentlyContinue").Single();
        Assert.Equal(2L, first.Properties["Failed"].Value);

        var failed = session.Run("Get-BatchItem -Job flaky -Status Failed | ForEach-Object Key").Output.Select(o => o.ToString()).ToList();
        Assert.Equal(new[] { "3", "6" }, failed);
        Assert.Equal("item 3 failed", session.Run("(Get-BatchItem -Job flaky -Key 3).LastError").Single().ToString());

        Assert.Empty(session.Run("Get-BatchItem -Job flaky -Status Failed | Reset-BatchItem").Output);
        Assert.Equal(2L, session.Run("(Get-BatchJob flaky).Pending").Single().BaseObject);

        var second = session.Run("Start-BatchRun -Job flaky -Variable @{ second = $true } -ScriptBlock { $_ }").Single();
        Assert.Equal(2L, second.Properties["Succeeded"].Value);
        Assert.Equal(100.0, session.Run("(Get-BatchJob flaky).PercentComplete").Single().BaseObject);
    }

    [Fact]
    public void WhatIf_changes_nothing()
    {
        using var session = new PowerShellSession();
        session.Run("1..4 | Start-BatchRun -Job done -ScriptBlock { $_ }").Single();

        session.Run("Get-BatchItem -Job done | Reset-BatchItem -WhatIf");
        session.Run("Reset-BatchItem -Job done -Status Succeeded -WhatIf");
        session.Run("Clear-BatchJob -Job done -WhatIf");
        session.Run("Get-BatchJob | Remove-BatchJob -WhatIf");

        PSObject job = session.Run("Get-BatchJob -Name done").Single();
        Assert.Equal(4L, job.Properties["Succeeded"].Value);
        Assert.Equal(0L, job.Properties["Pending"].Value);
    }

    [Fact]
    public void Remove_and_clear_work_from_the_pipeline()
    {
        using var session = new PowerShellSession();
        session.Run("1..3 | Start-BatchRun -Job keep -ScriptBlock { $_ }").Single();
        session.Run("1..3 | Start-BatchRun -Job drop -ScriptBlock { $_ }").Single();

        PSObject cleared = session.Run("Clear-BatchJob -Job keep -PassThru").Single();
        Assert.Equal(3L, cleared.Properties["Pending"].Value);
        Assert.Empty(session.Run("Get-BatchCheckpoint -Job keep").Output);

        session.Run("Get-BatchJob -Name dr* | Remove-BatchJob");
        Assert.Equal(new[] { "keep" }, session.Run("Get-BatchJob | ForEach-Object Name").Output.Select(o => o.ToString()));
    }

    [Fact]
    public void A_run_stopped_by_MaxItems_resumes_without_input_and_skips_what_is_done()
    {
        using var session = new PowerShellSession();
        var first = session.Run("1..10 | Start-BatchRun -Job chunks -MaxItems 4 -ScriptBlock { $_ }").Single();
        Assert.Equal("MaxItemsReached", first.Properties["StopReason"].Value.ToString());
        Assert.Equal(6L, first.Properties["Remaining"].Value);

        PSObject checkpoint = session.Run("Get-BatchCheckpoint -Job chunks").Single();
        Assert.Equal("BatchOps.BatchCheckpoint", checkpoint.TypeNames[0]);
        Assert.Equal(4L, checkpoint.Properties["Completed"].Value);
        Assert.Equal(10L, checkpoint.Properties["Total"].Value);

        // Feeding the same input again (a scheduled task) adds nothing and processes only what is left.
        var second = session.Run("1..10 | Start-BatchRun -Job chunks -ScriptBlock { $_ }").Single();
        Assert.Equal(0L, second.Properties["Added"].Value);
        Assert.Equal(4L, second.Properties["Skipped"].Value);
        Assert.Equal(6L, second.Properties["Succeeded"].Value);
        Assert.Equal("Completed", second.Properties["State"].Value.ToString());
    }

    [Fact]
    public void Relative_store_paths_follow_the_powershell_location_not_the_process_folder()
    {
        using var session = new PowerShellSession();
        Directory.CreateDirectory(session.File("sub"));
        session.Run("$null = $ExecutionContext.SessionState.Path.SetLocation('sub'); 'a' | Add-BatchItem -Job j -Store here.db").Single();
        Assert.True(File.Exists(Path.Combine(session.Folder, "sub", "here.db")));
    }

    [Fact]
    public void Objects_are_keyed_by_property_or_script_block_and_their_data_reaches_the_script_block()
    {
        using var session = new PowerShellSession();
        string script = "@([pscustomobject]@{ Sku = 'A-1'; Price = 9.5 }, [pscustomobject]@{ Sku = 'B-2'; Price = 20 }) | " +
                        "Start-BatchRun -Job products -Key Sku -ScriptBlock { '{0} costs {1}' -f $_.Sku, ($_.Price * 2) }";
        session.Run(script).Single();
        var results = session.Run("Get-BatchItem -Job products | ForEach-Object { $_.Key + ': ' + $_.Result }").Output.Select(o => o.ToString());
        Assert.Equal(new[] { "A-1: A-1 costs 19", "B-2: B-2 costs 40" }, results);

        session.Run("@{ Path = '/data/x.txt' }, @{ Path = '/data/y.txt' } | Add-BatchItem -Job files -Key { $_.Path.ToUpper() }").Single();
        Assert.Equal(new[] { "/DATA/X.TXT", "/DATA/Y.TXT" }, session.Run("Get-BatchItem -Job files | ForEach-Object Key").Output.Select(o => o.ToString()));
    }

    [Fact]
    public void Verbose_shows_a_line_per_batch_and_progress_is_reported()
    {
        using var session = new PowerShellSession();
        var result = session.Run("1..12 | Start-BatchRun -Job chunks -BatchSize 5 -ScriptBlock { $_ } -Verbose");
        Assert.Equal(3, result.Verbose.Count(v => v.Contains("] Batch ") && v.Contains(" complete: ")));
        Assert.Contains(result.Verbose, v => v.StartsWith("Run 1 of 'chunks' Completed (Drained): 12 succeeded"));
        Assert.NotEmpty(result.Progress);
        Assert.Equal(ProgressRecordType.Completed, result.Progress.Last().RecordType);
    }

    [Fact]
    public void Get_BatchItem_filters_by_wildcard_key_and_first()
    {
        using var session = new PowerShellSession();
        session.Run("'doc-1.txt','doc-2.txt','img-1.png' | Add-BatchItem -Job files").Single();
        Assert.Equal(2, session.Run("Get-BatchItem -Job files -Key doc-*").Output.Count);
        Assert.Single(session.Run("Get-BatchItem -Job files -First 1").Output);
        Assert.Equal("BatchOps.BatchItem", session.Run("Get-BatchItem -Job files -First 1").Single().TypeNames[0]);
    }
}

/// <summary>
/// Tests that change process-wide state ($env: variables are the process environment). They run alone, never
/// beside another test's session.
/// </summary>
[CollectionDefinition(nameof(ProcessEnvironment), DisableParallelization = true)]
public sealed class ProcessEnvironment
{
}

[Collection(nameof(ProcessEnvironment))]
public class EnvironmentTests
{
    [Fact]
    public void The_store_defaults_to_the_BATCHOPS_STORE_environment_variable()
    {
        using var session = new PowerShellSession();
        string store = session.File("from-env.db");
        try
        {
            session.Run($"$env:BATCHOPS_STORE = '{store}'; 'a' | Add-BatchItem -Job j").Single();
            Assert.True(File.Exists(store));
            Assert.False(File.Exists(session.File("batchops.db")));
            Assert.Equal("j", session.Run("Get-BatchJob | ForEach-Object Name").Single().ToString());
        }
        finally
        {
            session.Run("Remove-Item Env:BATCHOPS_STORE -ErrorAction SilentlyContinue; [Environment]::SetEnvironmentVariable('BATCHOPS_STORE', $null)");
        }
    }
}
