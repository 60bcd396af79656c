using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Runtime.InteropServices;
using Xunit;

namespace BatchOps.Module.Tests;

/// <summary>What the work of an item may be: a script block in a runspace pool, or an external command.</summary>
public class ProcessorTests
{
    [Fact]
    public void A_script_block_sees_the_item_as_its_first_argument_and_BatchItem()
    {
        using var session = new PowerShellSession();
        session.Run("'k1' | Start-BatchRun -Job j -ScriptBlock { param($item) '{0}|{1}|{2}|{3}' -f $item, $BatchItem.Key, $BatchItem.Attempt, $BatchItem.Job }").Single();
        Assert.Equal("k1|k1|1|j", session.Run("(Get-BatchItem -Job j).Result").Single().ToString());
    }

    [Fact]
    public void The_callers_variables_are_passed_with_Variable_and_are_otherwise_absent()
    {
        using var session = new PowerShellSession();
        session.Run("$secret = 'mine'; 'x' | Start-BatchRun -Job j -Variable @{ suffix = '-done' } -ScriptBlock { \"$_$suffix|$secret|\" }").Single();
        Assert.Equal("x-done||", session.Run("(Get-BatchItem -Job j).Result").Single().ToString());
    }

    [Fact]
    public void A_thrown_error_fails_the_item_with_its_message()
    {
        using var session = new PowerShellSession();
        var result = session.Run("'bad' | Start-BatchRun -Job j -RetryLimit 1 -RetryDelay 0 -ScriptBlock { throw 'API key is invalid' } -ErrorAction SilentlyContinue");
        Assert.Equal(1L, result.Single().Properties["Failed"].Value);
        Assert.Contains(result.Warnings, w => w == "Item 'bad' failed after 2 attempt(s): API key is invalid");
        PSObject item = session.Run("Get-BatchItem -Job j").Single();
        Assert.Equal("API key is invalid", item.Properties["LastError"].Value);
        Assert.Equal(2, item.Properties["Attempts"].Value);
    }

    [Fact]
    public void An_error_written_by_a_command_in_the_block_fails_the_item()
    {
        using var session = new PowerShellSession();
        session.Run("'x' | Start-BatchRun -Job j -RetryLimit 0 -ScriptBlock { Get-Command no-such-command-xyz -ErrorAction Continue; 'still ran' } -ErrorAction SilentlyContinue").Single();
        PSObject item = session.Run("Get-BatchItem -Job j").Single();
        Assert.Equal("Failed", item.Properties["Status"].Value.ToString());
        Assert.Contains("no-such-command-xyz", (string)item.Properties["LastError"].Value);
        Assert.Equal("still ran", item.Properties["Result"].Value);
    }

    [Fact]
    public void A_native_command_exiting_non_zero_fails_the_item()
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            return;
        }

        using var session = new PowerShellSession();
        session.Run("'ok','bad' | Start-BatchRun -Job j -RetryLimit 0 -ScriptBlock { if ($_ -eq 'bad') { sh -c 'exit 7' } else { sh -c 'exit 0' }; 'ran' } -ErrorAction SilentlyContinue").Single();
        Assert.Equal("Succeeded", session.Run("(Get-BatchItem -Job j -Key ok).Status").Single().ToString());
        Assert.Equal("Exit code 7.", session.Run("(Get-BatchItem -Job j -Key bad).LastError").Single().ToString());
    }

    [Fact]
    public void An_external_command_gets_the_key_as_one_argument_without_a_shell()
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            return;
        }

        using var session = new PowerShellSession();
        session.Run("'has space; $(rm -rf x)' | Start-BatchRun -Job j -Command sh -ArgumentList '-c', 'printf \"[%s]\" \"$1\"', 'sh', '{Key}'").Single();
        Assert.Equal("[has space; $(rm -rf x)]", session.Run("(Get-BatchItem -Job j).Result").Single().ToString());
    }

    [Fact]
    public void Output_objects_become_json_results()
    {
        using var session = new PowerShellSession();
        session.Run("'p1' | Start-BatchRun -Job j -ScriptBlock { [pscustomobject]@{ Score = 7; Ok = $true } }").Single();
        Assert.Equal("{\"Score\":7,\"Ok\":true}", session.Run("(Get-BatchItem -Job j).Result").Single().ToString());
    }

    [Fact]
    public void The_block_runs_in_the_callers_file_system_location()
    {
        using var session = new PowerShellSession();
        Directory.CreateDirectory(session.File("work"));
        session.Run("$null = $ExecutionContext.SessionState.Path.SetLocation('work'); 'a' | Start-BatchRun -Job j -Store ../batchops.db -ScriptBlock { $PWD.ProviderPath }").Single();
        Assert.Equal(session.File("work"), session.Run("(Get-BatchItem -Job j -Store ../batchops.db).Result").Single().ToString());
    }
}

public class ProcessorInputTests
{
    [Fact]
    public void Using_variables_take_the_callers_values_as_in_ForEach_Object_Parallel()
    {
        using var session = new PowerShellSession();
        session.Run("$prefix = 'doc'; $sizes = @(10, 20); $o = [pscustomobject]@{ N = 5 }; 'a' | Start-BatchRun -Job j -ScriptBlock { '{0}-{1}-{2}-{3}' -f $using:prefix, $_, $using:sizes[1], $using:o.N }").Single();
        Assert.Equal("doc-a-20-5", session.Run("(Get-BatchItem -Job j).Result").Single().ToString());
    }

    [Fact]
    public void A_custom_object_passed_with_Variable_keeps_its_properties()
    {
        using var session = new PowerShellSession();
        session.Run("$config = [pscustomobject]@{ Model = 'embed-3' }; 'a' | Start-BatchRun -Job j -Variable @{ config = $config } -ScriptBlock { $config.Model }").Single();
        Assert.Equal("embed-3", session.Run("(Get-BatchItem -Job j).Result").Single().ToString());
    }

    [Fact]
    public void Items_passed_by_name_with_InputObject_are_each_an_item()
    {
        using var session = new PowerShellSession();
        PSObject added = session.Run("Add-BatchItem -Job j -InputObject @('x', 'y', 'z')").Single();
        Assert.Equal(3L, added.Properties["Added"].Value);
        PSObject summary = session.Run("Start-BatchRun -Job k -InputObject @('p', 'q') -ScriptBlock { $_ }").Single();
        Assert.Equal(2L, summary.Properties["Succeeded"].Value);
    }

    [Fact]
    public void A_module_that_cannot_be_imported_fails_the_run_at_once()
    {
        using var session = new PowerShellSession();
        var result = session.Run("'a' | Start-BatchRun -Job j -ImportModule No.Such.Module.Xyz -ScriptBlock { $_ }");
        Assert.Equal("ProcessorFailed", result.FirstErrorId);
        Assert.Contains("No.Such.Module.Xyz", result.Errors[0].Exception.Message);
        Assert.Equal(1L, session.Run("(Get-BatchJob j).Pending").Single().BaseObject); // the item waits for a better run
    }
}
