using System.Linq;
using System.Management.Automation;
using Xunit;

namespace BatchOps.Module.Tests;

public class QuickStartTests
{
    [Fact]
    public void Strings_piped_into_Start_BatchRun_are_processed_and_summarised()
    {
        using var session = new PowerShellSession();
        PSObject summary = session.Run("'a','b','c' | Start-BatchRun -Job letters -ScriptBlock { $_.ToUpper() }").Single();

        Assert.Equal("BatchOps.BatchRunSummary", summary.TypeNames[0]);
        Assert.Equal("Completed", summary.Properties["State"].Value.ToString());
        Assert.Equal(3L, summary.Properties["Succeeded"].Value);
        Assert.Equal(3L, summary.Properties["Added"].Value);
        Assert.True(System.IO.File.Exists(session.File("batchops.db")));

        var results = session.Run("Get-BatchItem -Job letters | ForEach-Object { $_.Key + '=' + $_.Result }").Output.Select(o => o.ToString());
        Assert.Equal(new[] { "a=A", "b=B", "c=C" }, results);
    }
}
