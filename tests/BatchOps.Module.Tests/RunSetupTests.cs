using System.Linq;
using Xunit;

namespace BatchOps.Module.Tests;

/// <summary>Start-BatchRun's setup: the store is opened once per call, whichever way the job is named.</summary>
public class RunSetupTests
{
    [Theory]
    [InlineData("1..3 | Start-BatchRun -Job j -ScriptBlock { $_ } -Verbose")] // creates the store
    [InlineData("4..6 | Start-BatchRun -Job j -ScriptBlock { $_ } -Verbose")] // adds to it
    [InlineData("Start-BatchRun -Job j -ScriptBlock { $_ } -Verbose")] // resumes
    [InlineData("Get-BatchJob j | Start-BatchRun -ScriptBlock { $_ } -Verbose")] // the piped job names it
    public void The_store_is_opened_once_per_call(string script)
    {
        using var session = new PowerShellSession();
        session.Run("'a' | Start-BatchRun -Job j -ScriptBlock { $_ }").Single();

        var result = session.Run(script);
        Assert.Empty(result.Errors);
        Assert.Single(result.Verbose, v => v.StartsWith("Using the store "));
    }
}
