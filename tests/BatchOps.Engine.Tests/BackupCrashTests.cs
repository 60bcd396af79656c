using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using BatchOps.Engine.Backup;
using Xunit;
using Xunit.Abstractions;

namespace BatchOps.Engine.Tests;

/// <summary>
/// A child process backs up or restores in a loop and is killed in the middle of one: what is left must be either
/// complete, valid sets (never a valid-looking partial one), and either the old or the new store, whole.
/// </summary>
public class BackupCrashTests
{
    private const int Rounds = 5;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly ITestOutputHelper _output;

    public BackupCrashTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void A_backup_killed_while_it_copies_leaves_only_valid_sets_and_an_intact_store()
    {
        using var folder = new TempFolder();
        string store = Directory.CreateDirectory(folder.File("store")).FullName;
        string index = Path.Combine(store, "faiss_index.bin"), documents = Path.Combine(store, "document_data.pkl");
        BackupFiles.WriteFaissFlat(index, dimension: 64, vectors: 20_000); // about 5 MB: a kill lands mid-copy
        BackupFiles.WriteOpaque(documents, 3_000_000);
        string before = BackupFiles.Fingerprint(store);
        string destination = folder.File("backups");

        int killedMidBackup = 0;
        for (int round = 0; round < Rounds; round++)
        {
            int completed = 0;
            var partialsBefore = new HashSet<string>(Partials(destination));
            using Process host = StartHost(() => Interlocked.Increment(ref completed), "backup-loop", destination, index, documents);
            // Wait for a new backup to be under way (a hidden .partial folder of its own), then kill; odd rounds let
            // one backup complete first, so that complete sets and a killed one sit side by side. (Each host's first
            // backup removes the partials that the previous kills left: their processes are dead.)
            bool partialSeen = SpinWait.SpinUntil(
                () => host.HasExited || ((round % 2 == 0 || Volatile.Read(ref completed) >= 1) && Partials(destination).Any(p => !partialsBefore.Contains(p))),
                Patience);
            host.Kill(entireProcessTree: true);
            host.WaitForExit();
            Assert.True(partialSeen, "the host never started a backup: " + host.StandardError.ReadToEnd());
            killedMidBackup += Partials(destination).Any(p => !partialsBefore.Contains(p)) ? 1 : 0;
        }

        _output.WriteLine($"{killedMidBackup} of {Rounds} kills left a partial folder; sets listed: {BackupCatalog.List(destination).Count}");
        Assert.True(killedMidBackup > 0, "no kill landed during a backup");
        foreach (string set in Directory.GetDirectories(destination).Where(d => !Path.GetFileName(d).StartsWith('.')))
        {
            Assert.True(BackupCatalog.Test(set).IsValid, $"{set} looks like a set but is not valid");
        }

        Assert.All(Partials(destination), p => Assert.DoesNotContain(BackupCatalog.List(destination), s => s.Path == p));
        Assert.Equal(before, BackupFiles.Fingerprint(store));

        // The next backup clears what the killed ones left behind.
        string[] left = Partials(destination);
        BackupOutcome next = new VectorStoreBackupWriter().Create(new BackupRequest { Paths = new[] { index, documents }, Destination = destination });
        Assert.Equal(left.OrderBy(p => p), next.AbandonedPartials.OrderBy(p => p));
        Assert.Empty(Partials(destination));
    }

    [Fact]
    public void A_restore_killed_at_any_moment_leaves_the_old_or_the_new_store_whole_after_recovery()
    {
        using var folder = new TempFolder();
        string store = Directory.CreateDirectory(folder.File("store")).FullName;
        string index = Path.Combine(store, "faiss_index.bin"), documents = Path.Combine(store, "document_data.pkl");
        var writer = new VectorStoreBackupWriter();
        BackupFiles.WriteFaissFlat(index, 64, 8_000);
        BackupFiles.WriteOpaque(documents, 2_000_000, seed: 1);
        VectorStoreBackup a = writer.Create(new BackupRequest { Paths = new[] { index, documents }, Destination = folder.File("backups"), Name = "a" }).Backup;
        // The store is its two files; the pre-restore-* safety folders beside them are not part of it.
        string Store() => BackupFiles.Fingerprint(index) + BackupFiles.Fingerprint(documents);
        string storeA = Store();
        BackupFiles.WriteFaissFlat(index, 64, 9_000);
        BackupFiles.WriteOpaque(documents, 2_500_000, seed: 2);
        VectorStoreBackup b = writer.Create(new BackupRequest { Paths = new[] { index, documents }, Destination = folder.File("backups"), Name = "b" }).Backup;
        string storeB = Store();

        string journal = Path.Combine(store, RestoreJournal.FileName);
        int duringSwap = 0;
        for (int round = 0; round < Rounds; round++)
        {
            using Process host = StartHost(() => { }, "restore-loop", a.Path, b.Path);
            // Odd rounds kill once the journal exists (the swaps), even rounds once a staged copy exists.
            bool underWay = SpinWait.SpinUntil(
                () => host.HasExited || (round % 2 == 1 ? File.Exists(journal) : Directory.GetFileSystemEntries(store, "*" + RestoreJournal.StagedSuffix).Length > 0),
                Patience);
            host.Kill(entireProcessTree: true);
            host.WaitForExit();
            Assert.True(underWay, "the host never started a restore: " + host.StandardError.ReadToEnd());
            duringSwap += File.Exists(journal) ? 1 : 0;

            RestoreJournal.RecoverFor(new[] { index, documents }); // what the next restore or backup does first
            string now = Store();
            Assert.True(now == storeA || now == storeB, $"round {round}: the store is a mix of two sets");
            Assert.False(File.Exists(journal));
            Assert.Empty(Directory.GetFileSystemEntries(store, "*.batchops-*"));
        }

        _output.WriteLine($"{duringSwap} of {Rounds} kills left a restore journal (killed during the swaps)");
    }

    private static string[] Partials(string destination) =>
        Directory.Exists(destination) ? Directory.GetDirectories(destination, "*" + BackupPaths.PartialSuffix) : Array.Empty<string>();

    private static Process StartHost(Action onLine, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "BatchOps.Engine.TestHost.dll"));
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        Process process = Process.Start(info)!;
        process.OutputDataReceived += (_, line) => { if (line.Data != null) { onLine(); } }; // drained, so the host never blocks
        process.BeginOutputReadLine();
        return process;
    }
}
