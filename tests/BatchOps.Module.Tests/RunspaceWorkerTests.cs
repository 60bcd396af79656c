using System.Linq;
using System.Management.Automation;
using Xunit;

namespace BatchOps.Module.Tests;

/// <summary>
/// A runspace runs one item after another in one long pipeline: what one item does must not leak into the outcome
/// of the next (its errors, its location, its exit), and a stopped item must not be recorded as done.
/// </summary>
public class RunspaceWorkerTests
{
    private static string Status(PowerShellSession session, string key) =>
        session.Run($"(Get-BatchItem -Job j -Key {key}).Status").Single().ToString()!;

    [Fact]
    public void Each_item_gets_only_the_errors_it_wrote()
    {
        using var session = new PowerShellSession();

        // One runspace, so every item runs in the same pipeline, alternating an error and a clean item.
        session.Run("1..6 | Start-BatchRun -Job j -ThrottleLimit 1 -RetryLimit 0 -ScriptBlock { if ($_ % 2) { Get-Command \"no-such-command-$_\" -ErrorAction Continue } else { \"even $_\" } } -ErrorAction SilentlyContinue").Single();
        foreach (int key in new[] { 1, 3, 5 })
        {
            Assert.Equal("Failed", Status(session, key.ToString()));
            Assert.Contains($"no-such-command-{key}", session.Run($"(Get-BatchItem -Job j -Key {key}).LastError").Single().ToString());
        }

        foreach (int key in new[] { 2, 4, 6 })
        {
            Assert.Equal("Succeeded", Status(session, key.ToString()));
            Assert.Equal($"even {key}", session.Run($"(Get-BatchItem -Job j -Key {key}).Result").Single().ToString());
        }
    }

    [Fact]
    public void An_item_that_changes_location_does_not_move_the_next_one()
    {
        using var session = new PowerShellSession();
        // The hosted engine has no Microsoft.PowerShell.Management: the session state's own path API stands in for Get-/Set-Location.
        string start = session.Run("$ExecutionContext.SessionState.Path.CurrentFileSystemLocation.Path").Single().ToString()!;
        session.Run("1..3 | Start-BatchRun -Job j -ThrottleLimit 1 -ScriptBlock { $path = $ExecutionContext.SessionState.Path; $here = $path.CurrentFileSystemLocation.Path; $null = $path.SetLocation([System.IO.Path]::GetTempPath()); $here }").Single();
        foreach (string key in new[] { "1", "2", "3" })
        {
            Assert.Equal(start, session.Run($"(Get-BatchItem -Job j -Key {key}).Result").Single().ToString());
        }
    }

    [Fact]
    public void Exit_in_a_block_ends_the_item_with_its_code_and_the_next_items_still_run()
    {
        using var session = new PowerShellSession();
        session.Run("1..4 | Start-BatchRun -Job j -ThrottleLimit 1 -RetryLimit 0 -ScriptBlock { if ($_ -eq 2) { exit 3 }; if ($_ -eq 3) { exit 0 }; \"ran $_\" } -ErrorAction SilentlyContinue").Single();
        Assert.Equal("Failed", Status(session, "2"));
        Assert.Equal("Exit code 3.", session.Run("(Get-BatchItem -Job j -Key 2).LastError").Single().ToString());
        Assert.Equal("Succeeded", Status(session, "3"));
        Assert.Equal("ran 4", session.Run("(Get-BatchItem -Job j -Key 4).Result").Single().ToString());
    }

    [Fact]
    public void A_timed_out_block_that_catches_the_stop_is_still_timed_out()
    {
        using var session = new PowerShellSession();
        session.Run("1..2 | Start-BatchRun -Job j -ThrottleLimit 1 -RetryLimit 0 -ItemTimeout 1 -ScriptBlock { if ($_ -eq 1) { try { while ($true) { } } catch { 'caught' } } else { 'next' } } -ErrorAction SilentlyContinue").Single();
        PSObject first = session.Run("Get-BatchItem -Job j -Key 1").Single();
        Assert.Equal("Failed", first.Properties["Status"].Value.ToString());
        Assert.StartsWith("Timed out after 1 s", (string)first.Properties["LastError"].Value);
        Assert.Null(first.Properties["Result"].Value);
        Assert.Equal("next", session.Run("(Get-BatchItem -Job j -Key 2).Result").Single().ToString());
    }
}
