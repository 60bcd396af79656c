using System.IO;
using System.Linq;
using System.Management.Automation;
using Xunit;

namespace BatchOps.Module.Tests;

/// <summary>Backup-VectorStore, Get-, Test-, Remove-VectorStoreBackup and Restore-VectorStore as a script drives them.</summary>
public class BackupCommandTests
{
    // A FAISS + pickle store in the session's folder: store/faiss_index.bin (IndexFlatL2 header, 300 vectors) and store/document_data.pkl.
    internal const string MakeStore = @"
        $store = [IO.Directory]::CreateDirectory($PWD.Path + '/store').FullName
        function Write-Faiss([string] $path, [long] $vectors) {
            $stream = [IO.MemoryStream]::new(); $w = [IO.BinaryWriter]::new($stream)
            $w.Write([Text.Encoding]::ASCII.GetBytes('IxF2')); $w.Write([int]4); $w.Write([long]$vectors)
            $w.Write([long]1048576); $w.Write([long]1048576); $w.Write([byte]1); $w.Write([int]1)
            $w.Write([byte[]]::new(16 * $vectors)); $w.Flush()
            [IO.File]::WriteAllBytes($path, $stream.ToArray())
        }
        Write-Faiss ($store + '/faiss_index.bin') 300
        [IO.File]::WriteAllBytes($store + '/document_data.pkl', [byte[]](1..200))
    ";

    [Fact]
    public void Backup_Get_and_Test_compose_through_the_pipeline_with_paths_relative_to_the_PowerShell_location()
    {
        using var session = new PowerShellSession();
        session.Run(MakeStore).Output.ToList();

        PSObject backup = session.Run("Backup-VectorStore -Path ./store/faiss_index.bin, ./store/document_data.pkl -Destination ./backups").Single();
        Assert.Equal("BatchOps.VectorStoreBackup", backup.TypeNames[0]);
        Assert.Equal(300L, backup.Properties["ItemCount"].Value);
        Assert.Equal(2, backup.Properties["FileCount"].Value);
        Assert.StartsWith(session.File("backups"), (string)backup.Properties["Path"].Value);

        PSObject test = session.Run("Get-VectorStoreBackup -Destination ./backups | Test-VectorStoreBackup").Single();
        Assert.Equal("BatchOps.BackupTestResult", test.TypeNames[0]);
        Assert.Equal(true, test.Properties["IsValid"].Value);
        Assert.Equal(2, test.Properties["FilesChecked"].Value);
        Assert.Equal(true, session.Run("(Get-VectorStoreBackup ./backups)[0] | Test-VectorStoreBackup -Quiet").Single().BaseObject);

        // A changed byte in the set: reported, with the file named.
        session.Run("$f = (Get-VectorStoreBackup ./backups)[0].Path + '/data/document_data.pkl'; $b = [IO.File]::ReadAllBytes($f); $b[3] = 99; [IO.File]::WriteAllBytes($f, $b)").Output.ToList();
        PSObject bad = session.Run("Get-VectorStoreBackup ./backups | Test-VectorStoreBackup").Single();
        Assert.Equal(false, bad.Properties["IsValid"].Value);
        Assert.Contains("document_data.pkl", (string)bad.Properties["Summary"].Value);
    }

    [Fact]
    public void Files_from_the_pipeline_make_one_set_and_retention_keeps_the_newest()
    {
        using var session = new PowerShellSession();
        session.Run(MakeStore).Output.ToList();

        for (int i = 0; i < 3; i++)
        {
            // Objects with a PSPath, as Get-Item and Get-ChildItem write them, bind to -LiteralPath.
            session.Run("'faiss_index.bin', 'document_data.pkl' | ForEach-Object { [pscustomobject]@{ PSPath = \"$PWD/store/$_\" } } | Backup-VectorStore -Destination ./backups -Keep 2").Single();
        }

        var sets = session.Run("Get-VectorStoreBackup -Destination ./backups").Output;
        Assert.Equal(2, sets.Count);
        Assert.All(sets, s => Assert.Equal(2, s.Properties["FileCount"].Value));
    }

    [Fact]
    public void Restore_Latest_puts_the_store_back_and_WhatIf_changes_nothing()
    {
        using var session = new PowerShellSession();
        session.Run(MakeStore).Output.ToList();
        session.Run("Backup-VectorStore ./store/faiss_index.bin, ./store/document_data.pkl -Destination ./backups").Single();
        session.Run("Write-Faiss \"$PWD/store/faiss_index.bin\" 5").Output.ToList(); // the index lost its vectors
        byte[] damaged = File.ReadAllBytes(session.File("store/faiss_index.bin"));

        var whatIf = session.Run("Restore-VectorStore -Destination ./backups -Latest -WhatIf");
        Assert.Empty(whatIf.Errors);
        Assert.Equal(damaged, File.ReadAllBytes(session.File("store/faiss_index.bin")));

        PSObject restore = session.Run("Restore-VectorStore -Destination ./backups -Latest").Single();
        Assert.Equal("BatchOps.VectorStoreRestore", restore.TypeNames[0]);
        Assert.Equal(300L, restore.Properties["ItemCount"].Value);
        Assert.Equal(16 * 300 + 37, new FileInfo(session.File("store/faiss_index.bin")).Length);
        string safety = (string)restore.Properties["SafetyCopy"].Value;
        Assert.Equal(damaged, File.ReadAllBytes(Path.Combine(safety, "faiss_index.bin")));
    }

    [Fact]
    public void Restore_takes_one_set_and_refuses_an_invalid_one_with_a_terminating_error()
    {
        using var session = new PowerShellSession();
        session.Run(MakeStore).Output.ToList();
        session.Run("Backup-VectorStore ./store/document_data.pkl -Destination ./backups").Single();
        session.Run("Backup-VectorStore ./store/document_data.pkl -Destination ./backups").Single();

        var two = session.Run("Get-VectorStoreBackup ./backups | Restore-VectorStore");
        Assert.Single(two.Output);
        Assert.Equal("RestoreTooManySets", two.FirstErrorId);

        session.Run("Get-VectorStoreBackup ./backups | ForEach-Object { [IO.File]::WriteAllText($_.Path + '/data/extra.txt', 'x') }").Output.ToList();
        byte[] before = File.ReadAllBytes(session.File("store/document_data.pkl"));
        var refused = session.Run("(Get-VectorStoreBackup ./backups)[0] | Restore-VectorStore");
        Assert.Equal("BackupInvalid", refused.FirstErrorId);
        Assert.Empty(refused.Output);
        // A terminating error: with -ErrorAction Stop the script stops there.
        var stopped = session.Run("try { (Get-VectorStoreBackup ./backups)[0] | Restore-VectorStore -ErrorAction Stop; 'went on' } catch { 'stopped: ' + $_.FullyQualifiedErrorId }");
        Assert.StartsWith("stopped: BackupInvalid", (string)stopped.Single().BaseObject);
        Assert.Equal(before, File.ReadAllBytes(session.File("store/document_data.pkl")));
    }

    [Fact]
    public void Remove_deletes_sets_only_and_honours_WhatIf()
    {
        using var session = new PowerShellSession();
        session.Run(MakeStore).Output.ToList();
        session.Run("Backup-VectorStore ./store -Destination ./backups").Single();

        session.Run("Get-VectorStoreBackup ./backups | Remove-VectorStoreBackup -WhatIf").Output.ToList();
        Assert.Single(session.Run("Get-VectorStoreBackup ./backups").Output);

        var notASet = session.Run("Remove-VectorStoreBackup -Path ./store");
        Assert.Equal("BackupInvalid", notASet.FirstErrorId);
        Assert.True(File.Exists(session.File("store/faiss_index.bin")));

        session.Run("Get-VectorStoreBackup ./backups | Remove-VectorStoreBackup").Output.ToList();
        Assert.Empty(session.Run("Get-VectorStoreBackup ./backups").Output);
    }

    [Theory]
    [InlineData("Backup-VectorStore ./store/missing.bin -Destination ./backups", "BackupSourceNotFound")]
    [InlineData("Backup-VectorStore ./store/faiss_index.bin -Destination ./backups -Keep 0", "RetentionInvalid")]
    [InlineData("Backup-VectorStore ./store/faiss_index.bin -Destination ./backups -Name '../up'", "BackupNameInvalid")]
    [InlineData("Backup-VectorStore ./store -Destination ./store/backups", "BackupDestinationInvalid")]
    [InlineData("Get-VectorStoreBackup -Destination ./nowhere", "BackupDestinationInvalid")]
    [InlineData("Test-VectorStoreBackup -Path ./nowhere", "BackupNotFound")]
    [InlineData("Restore-VectorStore -Destination ./store -Latest", "BackupNotFound")]
    public void Bad_arguments_are_refused_with_their_ErrorId_and_nothing_is_written(string script, string errorId)
    {
        using var session = new PowerShellSession();
        session.Run(MakeStore).Output.ToList();

        var result = session.Run(script);

        Assert.Equal(errorId, result.FirstErrorId);
        Assert.False(Directory.Exists(session.File("backups")));
        Assert.False(Directory.Exists(session.File("store/backups")));
    }
}
