using System.Collections;
using System.Linq;
using System.Management.Automation;
using System.Runtime.InteropServices;
using Xunit;

namespace BatchOps.Module.Tests;

/// <summary>A script block's failure is recorded as what happened: its original exception type, a native command's standard error.</summary>
public class ScriptErrorTests
{
    [Fact]
    public void ErrorsByType_names_the_original_exception_not_PowerShell_s_wrapper()
    {
        using var session = new PowerShellSession();
        session.Run(@"'timeout','typeonly','format','http','path','plain' | Start-BatchRun -Job types -RetryLimit 0 -ErrorAction SilentlyContinue -ScriptBlock {
            switch ($_) {
                'timeout' { throw [TimeoutException]'the API did not answer' }
                'typeonly' { throw [TimeoutException] }
                'format'  { [int]::Parse('not a number') }
                'http'    { throw [System.Net.Http.HttpRequestException]::new('connection refused') }
                'path'    { Get-Command no-such-command-xyz -ErrorAction Stop }
                'plain'   { throw 'just text' }
            }
        }").Output.ToList();

        var byType = (IDictionary)session.Run("(Get-BatchHealth -Job types).ErrorsByType").Single().BaseObject;
        Assert.Equal(
            new[] { "CommandNotFoundException", "FormatException", "HttpRequestException", "RuntimeException", "TimeoutException" },
            byType.Keys.Cast<string>().OrderBy(k => k).ToArray());
        Assert.Equal(2L, byType["TimeoutException"]);
        Assert.Equal("the API did not answer", session.Run("(Get-BatchItem -Job types -Key timeout).LastError").Single().ToString());
    }

    [Fact]
    public void A_failing_native_command_keeps_the_end_of_its_standard_error_and_a_fixed_type()
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            return;
        }

        using var session = new PowerShellSession();
        session.Run(@"'a' | Start-BatchRun -Job native -RetryLimit 0 -ErrorAction SilentlyContinue -ScriptBlock {
            sh -c 'echo ""Traceback (most recent call last):"" >&2; echo ""KeyError: embedding"" >&2; exit 2'
        }").Output.ToList();

        string lastError = session.Run("(Get-BatchItem -Job native -Key a).LastError").Single().ToString();
        // The program's last word first (where tables cut), then the rest of its standard error.
        Assert.StartsWith("Exit code 2: KeyError: embedding", lastError);
        Assert.Contains("Traceback (most recent call last):", lastError);
        var byType = (IDictionary)session.Run("(Get-BatchHealth -Job native).ErrorsByType").Single().BaseObject;
        Assert.Equal(new[] { "NativeCommandFailed" }, byType.Keys.Cast<string>().ToArray());
    }

    [Fact]
    public void A_native_command_that_writes_to_standard_error_but_exits_0_succeeds()
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            return;
        }

        using var session = new PowerShellSession();
        PSObject summary = session.Run("'a' | Start-BatchRun -Job chatty -RetryLimit 0 -ScriptBlock { sh -c 'echo progress >&2; echo done'; }").Single();
        Assert.Equal(1L, summary.Properties["Succeeded"].Value);
        Assert.Equal("done", session.Run("(Get-BatchItem -Job chatty -Key a).Result").Single().ToString());
    }

    [Fact]
    public void The_error_log_keeps_where_in_the_script_block_the_error_happened()
    {
        using var session = new PowerShellSession();
        session.Run(@"'a' | Start-BatchRun -Job where -RetryLimit 1 -RetryDelay 0 -ErrorAction SilentlyContinue -ScriptBlock {
            $first = 1
            throw [TimeoutException]'boom'
        }").Output.ToList();

        var details = session.Run("(Get-BatchHealth -Job where).LatestErrors | ForEach-Object Detail").Output.Select(o => o.ToString()).ToList();
        Assert.Equal(2, details.Count); // the retried attempt and the final one
        Assert.All(details, detail =>
        {
            Assert.Contains("throw [TimeoutException]'boom'", detail);
            Assert.Contains("line 3", detail); // the script stack names the block's own line
        });
        Assert.Equal("boom", session.Run("(Get-BatchItem -Job where -Key a).LastError").Single().ToString()); // the message stays short
    }
}
