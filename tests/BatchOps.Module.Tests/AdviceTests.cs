using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text.RegularExpressions;
using Xunit;

namespace BatchOps.Module.Tests;

/// <summary>
/// The engine says what happened; the module adds what to do in PowerShell's words, as the ErrorRecord's
/// RecommendedAction (the console shows it as "Recommendation: ..."), by ErrorId and, where parameters differ, by command.
/// </summary>
public class AdviceTests
{
    [Theory]
    [InlineData("'x' | Add-BatchItem -Job j -Store ./no-such-folder/jobs.db", "StoreFolderNotFound", "New-Item -ItemType Directory")]
    [InlineData("[pscustomobject]@{ Colour = 'red' } | Add-BatchItem -Job j", "KeyNotInferable", "-Key")]
    [InlineData("'a' | Start-BatchRun -Job j -LogPath 'nodrive9:\\logs' -ScriptBlock { $_ }", "LogPathInvalid", "-LogPath")]
    [InlineData("Get-VectorStoreBackup -Destination ./no-backups-here", "BackupDestinationInvalid", "Pass -Destination")]
    [InlineData("Get-BatchHealth -VectorStorePath ./index.bin -BackupDestination 'nodrive9:\\backups'", "BackupDestinationInvalid", "Pass -BackupDestination")]
    [InlineData("Watch-BatchHealth -AutoRestore -Count 1", "AutoRestoreInvalid", "-VectorStorePath")]
    [InlineData("Watch-BatchHealth -Interval 0 -Count 1", "HealthIntervalInvalid", "Pass -Interval")]
    [InlineData("Watch-BatchHealth -VectorStorePath ./vs -AutoRestore -BackupDestination ./no-backups -Count 1", "BackupDestinationNotFound", "Pass -BackupDestination")]
    [InlineData("[IO.File]::WriteAllBytes(\"$PWD/index.bin\", [byte[]](1..9)); Backup-VectorStore -Path ./index.bin -Destination ./b -Name 'bad name!'", "BackupNameInvalid", "Pass -Name")]
    [InlineData("'a' | Add-BatchItem -Job idle; Stop-BatchRun -Job idle", "RunNotActive", "Get-BatchRun")]
    [InlineData("'a' | Add-BatchItem -Job waits; Wait-BatchJob -Job waits -Timeout 0", "WaitTimedOut", "-Timeout")]
    public void An_error_carries_the_advice_for_its_ErrorId_and_command(string script, string errorId, string advice)
    {
        using var session = new PowerShellSession();
        PowerShellSession.Result result = session.Run(script);

        ErrorRecord record = (result.Thrown as IContainsErrorRecord)?.ErrorRecord ?? result.Errors.First();
        Assert.Equal(errorId, record.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains(advice, record.ErrorDetails.RecommendedAction);
    }

    /// <summary>
    /// No engine message names a cmdlet, a parameter or $env: (the advice is the module's).
    /// </summary>
    [Fact]
    public void Engine_messages_speak_no_PowerShell()
    {
        var powerShell = new Regex(
            @"\b(Add|Backup|Clear|Export|Get|New|Remove|Reset|Restore|Resume|Start|Stop|Suspend|Test|Update|Wait|Watch)-(Batch|Vector|Module|Item)\w*|(^|[\s(""])-[A-Z][a-z]+[A-Za-z]*\b|\$env:",
            RegexOptions.CultureInvariant);
        string engine = Path.Combine(PowerShellSession.RepositoryRoot, "src", "BatchOps.Engine");
        var found = Directory.EnumerateFiles(engine, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar))
            .SelectMany(f => File.ReadAllLines(f).Select((line, i) => (File: Path.GetFileName(f), Line: i + 1, Text: line.Trim())))
            .Where(l => !l.Text.StartsWith("//", System.StringComparison.Ordinal))
            .Where(l => Regex.Matches(l.Text, "\"[^\"]*\"").Cast<Match>().Any(s => powerShell.IsMatch(s.Value)))
            .Select(l => $"{l.File}:{l.Line}: {l.Text}")
            .ToList();

        Assert.Empty(found);
    }
}
