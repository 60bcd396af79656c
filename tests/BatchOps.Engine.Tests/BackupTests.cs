using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using BatchOps.Engine.Backup;
using BatchOps.Engine.Running;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Xunit;
using BatchOps.Engine.Platform;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Tests;

public class BackupTests
{
    // A FAISS + pickle store like the background processor's, in folder/store.
    private static (string Index, string Documents) FaissStore(TempFolder folder, long vectors = 1200)
    {
        string store = Directory.CreateDirectory(folder.File("store")).FullName;
        string index = Path.Combine(store, "faiss_index.bin");
        string documents = Path.Combine(store, "document_data.pkl");
        BackupFiles.WriteFaissFlat(index, dimension: 4, vectors: vectors);
        BackupFiles.WriteOpaque(documents, 5000);
        return (index, documents);
    }

    private static VectorStoreBackup Backup(TempFolder folder, params string[] paths) =>
        new VectorStoreBackupWriter().Create(new BackupRequest { Paths = paths, Destination = folder.File("backups") }).Backup;

    [Fact]
    public void A_backup_set_records_each_file_with_size_hash_and_the_faiss_vector_count()
    {
        using var folder = new TempFolder();
        (string index, string documents) = FaissStore(folder);

        VectorStoreBackup backup = Backup(folder, index, documents);

        Assert.StartsWith("vectorstore-", backup.Name);
        Assert.Equal(new[] { "faiss_index.bin", "document_data.pkl" }, backup.Sources.Select(s => s.Name));
        Assert.Equal(index, backup.Sources[0].OriginalPath);
        BackupFile faiss = backup.Files.Single(f => f.RelativePath == "faiss_index.bin");
        Assert.Equal("Faiss", faiss.Format);
        Assert.Equal(1200, faiss.ItemCount);
        Assert.Equal(new FileInfo(index).Length, faiss.Size);
        Assert.Equal(BackupFiles.Fingerprint(index), faiss.Sha256.ToUpperInvariant());
        BackupFile pickle = backup.Files.Single(f => f.RelativePath == "document_data.pkl");
        Assert.Equal("File", pickle.Format);
        Assert.Null(pickle.ItemCount);
        Assert.Equal(1200, backup.ItemCount);

        // Round trip: the manifest read back from disk says the same.
        VectorStoreBackup reread = BackupCatalog.Open(backup.Path);
        Assert.Equal(backup.Files.Select(f => (f.RelativePath, f.Size, f.Sha256, f.Format, f.ItemCount)), reread.Files.Select(f => (f.RelativePath, f.Size, f.Sha256, f.Format, f.ItemCount)));
        Assert.Equal(backup.Created, reread.Created);
        Assert.Equal(backup.Sources.Select(s => (s.Name, s.OriginalPath, s.IsDirectory)), reread.Sources.Select(s => (s.Name, s.OriginalPath, s.IsDirectory)));
        Assert.True(BackupCatalog.Test(backup.Path).IsValid);
        Assert.Empty(Directory.GetDirectories(folder.File("backups"), ".*")); // no partial folder left
    }

    [Theory]
    [InlineData("IxF2", 4, 0L)]
    [InlineData("IxFI", 16, 1_000_000L)]
    [InlineData("IxMp", 8, 37L)] // IndexIDMap writes the same header first
    [InlineData("IwFl", 4, 250L)] // IndexIVFFlat
    public void The_faiss_header_gives_ntotal(string typeCode, int dimension, long vectors)
    {
        var header = new byte[32];
        System.Text.Encoding.ASCII.GetBytes(typeCode).CopyTo(header, 0);
        BitConverter.GetBytes(dimension).CopyTo(header, 4);
        BitConverter.GetBytes(vectors).CopyTo(header, 8);
        BitConverter.GetBytes(1L << 20).CopyTo(header, 16);
        BitConverter.GetBytes(1L << 20).CopyTo(header, 24);
        Assert.Equal(vectors, FaissIndexHeader.TryReadVectorCount(header, header.Length));
    }

    [Fact]
    public void A_binary_faiss_index_and_files_that_are_not_faiss_are_told_apart()
    {
        using var folder = new TempFolder();
        BackupFiles.WriteFaissBinary(folder.File("binary.index"), dimension: 64, vectors: 321);
        Assert.Equal(321, FaissIndexHeader.TryReadVectorCount(folder.File("binary.index")));

        BackupFiles.WriteOpaque(folder.File("data.pkl"), 100);
        Assert.Null(FaissIndexHeader.TryReadVectorCount(folder.File("data.pkl")));
        File.WriteAllText(folder.File("notes.txt"), "Index of my notes, long enough to fill a header");
        Assert.Null(FaissIndexHeader.TryReadVectorCount(folder.File("notes.txt"))); // starts with 'I' but no FAISS dummies
        File.WriteAllBytes(folder.File("short.bin"), new byte[] { (byte)'I', (byte)'x' });
        Assert.Null(FaissIndexHeader.TryReadVectorCount(folder.File("short.bin")));
    }

    [Fact]
    public void A_flipped_byte_a_missing_file_and_an_extra_file_are_each_reported()
    {
        using var folder = new TempFolder();
        (string index, string documents) = FaissStore(folder);
        string data(VectorStoreBackup b, string name) => Path.Combine(b.Path, "data", name);

        VectorStoreBackup flipped = Backup(folder, index, documents);
        byte[] bytes = File.ReadAllBytes(data(flipped, "document_data.pkl"));
        bytes[1234] ^= 0x01;
        File.WriteAllBytes(data(flipped, "document_data.pkl"), bytes);
        BackupTestResult flippedResult = BackupCatalog.Test(flipped.Path);
        Assert.False(flippedResult.IsValid);
        Assert.Equal((BackupProblemKind.HashMismatch, "document_data.pkl"), flippedResult.Problems.Select(p => (p.Kind, p.RelativePath)).Single());

        VectorStoreBackup missing = Backup(folder, index, documents);
        File.Delete(data(missing, "faiss_index.bin"));
        Assert.Equal((BackupProblemKind.Missing, "faiss_index.bin"), BackupCatalog.Test(missing.Path).Problems.Select(p => (p.Kind, p.RelativePath)).Single());

        VectorStoreBackup extra = Backup(folder, index, documents);
        File.WriteAllText(data(extra, "stray.txt"), "not in the manifest");
        Assert.Equal((BackupProblemKind.Extra, "stray.txt"), BackupCatalog.Test(extra.Path).Problems.Select(p => (p.Kind, p.RelativePath)).Single());

        VectorStoreBackup truncated = Backup(folder, index, documents);
        File.WriteAllBytes(data(truncated, "document_data.pkl"), new byte[10]);
        Assert.Equal(BackupProblemKind.SizeMismatch, BackupCatalog.Test(truncated.Path).Problems.Single().Kind);

        VectorStoreBackup noManifest = Backup(folder, index, documents);
        File.Delete(Path.Combine(noManifest.Path, "manifest.json"));
        Assert.Equal(BackupProblemKind.ManifestMissing, BackupCatalog.Test(noManifest.Path).Problems.Single().Kind);
        Assert.DoesNotContain(BackupCatalog.List(folder.File("backups")), b => b.Name == noManifest.Name); // not listed as a set
    }

    [Fact]
    public void Folders_are_backed_up_file_by_file_and_restored_whole()
    {
        using var folder = new TempFolder();
        string chroma = Directory.CreateDirectory(folder.File("chroma")).FullName;
        Directory.CreateDirectory(Path.Combine(chroma, "segment-1"));
        BackupFiles.WriteOpaque(Path.Combine(chroma, "segment-1", "data_level0.bin"), 3000);
        BackupFiles.WriteOpaque(Path.Combine(chroma, "segment-1", "header.bin"), 100, seed: 3);
        BackupFiles.WriteOpaque(Path.Combine(chroma, "top.bin"), 10, seed: 9);
        string before = BackupFiles.Fingerprint(chroma);

        VectorStoreBackup backup = Backup(folder, chroma);
        Assert.Equal(new[] { "chroma/segment-1/data_level0.bin", "chroma/segment-1/header.bin", "chroma/top.bin" }, backup.Files.Select(f => f.RelativePath).OrderBy(p => p, StringComparer.Ordinal));

        File.Delete(Path.Combine(chroma, "top.bin"));
        BackupFiles.WriteOpaque(Path.Combine(chroma, "new-since.bin"), 10);
        VectorStoreRestore restore = new VectorStoreRestorer().Restore(backup, targetFolder: null);

        Assert.Equal(before, BackupFiles.Fingerprint(chroma));
        Assert.Equal(new[] { chroma }, restore.Restored);
        Assert.NotNull(restore.SafetyCopy);
        Assert.True(File.Exists(Path.Combine(restore.SafetyCopy!, "chroma", "new-since.bin"))); // what it replaced is kept
        Assert.Empty(Directory.GetFiles(folder.Path, "*.batchops-*", SearchOption.TopDirectoryOnly));
        Assert.False(File.Exists(Path.Combine(folder.Path, ".batchops-restore.json")));
    }

    [Fact]
    public void A_restore_puts_every_file_back_and_keeps_a_safety_copy_of_what_it_replaced()
    {
        using var folder = new TempFolder();
        (string index, string documents) = FaissStore(folder, vectors: 1200);
        string indexBefore = BackupFiles.Fingerprint(index), documentsBefore = BackupFiles.Fingerprint(documents);
        VectorStoreBackup backup = Backup(folder, index, documents);

        BackupFiles.WriteFaissFlat(index, 4, 10); // the disaster backups are for: the index lost most of its vectors
        BackupFiles.WriteOpaque(documents, 50, seed: 1);
        string indexDamaged = BackupFiles.Fingerprint(index);

        VectorStoreRestore restore = new VectorStoreRestorer().Restore(backup, targetFolder: null);

        Assert.Equal(indexBefore, BackupFiles.Fingerprint(index));
        Assert.Equal(documentsBefore, BackupFiles.Fingerprint(documents));
        Assert.Equal(1200, FaissIndexHeader.TryReadVectorCount(index));
        Assert.Equal(indexDamaged, BackupFiles.Fingerprint(Path.Combine(restore.SafetyCopy!, "faiss_index.bin")));
        Assert.Equal(1200, restore.ItemCount);
    }

    [Fact]
    public void A_restore_into_another_folder_leaves_the_originals_alone()
    {
        using var folder = new TempFolder();
        (string index, string documents) = FaissStore(folder);
        VectorStoreBackup backup = Backup(folder, index, documents);
        BackupFiles.WriteFaissFlat(index, 4, 3);
        string changed = BackupFiles.Fingerprint(index);
        string target = Directory.CreateDirectory(folder.File("restored")).FullName;

        VectorStoreRestore restore = new VectorStoreRestorer().Restore(backup, target);

        Assert.Equal(changed, BackupFiles.Fingerprint(index));
        Assert.Equal(1200, FaissIndexHeader.TryReadVectorCount(Path.Combine(target, "faiss_index.bin")));
        Assert.Null(restore.SafetyCopy); // nothing was there to replace
        Assert.Throws<BatchOpsException>(() => new VectorStoreRestorer().Restore(backup, folder.File("no-such-folder")));
    }

    [Fact]
    public void An_invalid_set_is_refused_and_nothing_is_touched()
    {
        using var folder = new TempFolder();
        (string index, string documents) = FaissStore(folder);
        VectorStoreBackup backup = Backup(folder, index, documents);
        BackupFiles.WriteFaissFlat(index, 4, 7);
        string current = BackupFiles.Fingerprint(folder.File("store"));
        string inSet = Path.Combine(backup.Path, "data", "faiss_index.bin");
        byte[] bytes = File.ReadAllBytes(inSet);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(inSet, bytes);

        var error = Assert.Throws<BatchOpsException>(() => new VectorStoreRestorer().Restore(backup, null));

        Assert.Equal(ErrorIds.BackupInvalid, error.ErrorId);
        Assert.Contains("faiss_index.bin", error.Message);
        Assert.Equal(current, BackupFiles.Fingerprint(folder.File("store")));
        Assert.Equal(new[] { "document_data.pkl", "faiss_index.bin" }, Directory.GetFileSystemEntries(folder.File("store")).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("../escaped.bin")]
    [InlineData("faiss_index.bin/../../escaped.bin")]
    [InlineData("/tmp/escaped.bin")]
    [InlineData("C:/escaped.bin")]
    [InlineData("faiss_index.bin\\..\\escaped.bin")]
    public void A_manifest_whose_paths_escape_the_set_is_refused(string evil)
    {
        using var folder = new TempFolder();
        (string index, _) = FaissStore(folder);
        VectorStoreBackup backup = Backup(folder, index);
        string manifestPath = Path.Combine(backup.Path, "manifest.json");
        JsonNode manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!;
        manifest["files"]![0]!["path"] = evil;
        File.WriteAllText(manifestPath, manifest.ToJsonString());
        string target = Directory.CreateDirectory(folder.File("target")).FullName;

        BackupTestResult test = BackupCatalog.Test(backup.Path);
        var error = Assert.Throws<BatchOpsException>(() => new VectorStoreRestorer().Restore(backup, target));

        Assert.Contains(test.Problems, p => p.Kind == BackupProblemKind.UnsafePath);
        Assert.Equal(ErrorIds.BackupManifestUnsafe, error.ErrorId);
        Assert.Empty(Directory.GetFileSystemEntries(target));
        Assert.False(File.Exists(folder.File("escaped.bin")));
    }

    [Fact]
    public void Empty_folders_of_a_folder_source_are_recorded_verified_and_restored()
    {
        using var folder = new TempFolder();
        string chroma = Directory.CreateDirectory(folder.File("chroma")).FullName;
        File.WriteAllText(Path.Combine(chroma, "chroma.sqlite3.txt"), "rows");
        Directory.CreateDirectory(Path.Combine(chroma, "index", "segment-1"));
        File.WriteAllText(Path.Combine(chroma, "index", "header.bin"), "h");
        Directory.CreateDirectory(Path.Combine(chroma, "logs"));

        VectorStoreBackup backup = Backup(folder, chroma);
        Assert.Equal(new[] { "chroma/index/segment-1", "chroma/logs" }, backup.EmptyFolders.OrderBy(f => f, StringComparer.Ordinal));
        Assert.True(BackupCatalog.Test(backup.Path).IsValid);

        Directory.Delete(chroma, recursive: true);
        new VectorStoreRestorer().Restore(backup, null);
        Assert.True(Directory.Exists(Path.Combine(chroma, "logs")));
        Assert.True(Directory.Exists(Path.Combine(chroma, "index", "segment-1")));
        Assert.Equal("h", File.ReadAllText(Path.Combine(chroma, "index", "header.bin")));

        Directory.Delete(Path.Combine(backup.Path, "data", "chroma", "logs"));
        BackupTestResult damaged = BackupCatalog.Test(backup.Path);
        Assert.Equal("chroma/logs", Assert.Single(damaged.Problems, p => p.Kind == BackupProblemKind.Missing).RelativePath);
    }

    [Fact]
    public void An_empty_folder_path_that_escapes_the_set_is_refused()
    {
        using var folder = new TempFolder();
        string chroma = Directory.CreateDirectory(folder.File("chroma")).FullName;
        Directory.CreateDirectory(Path.Combine(chroma, "logs"));
        File.WriteAllText(Path.Combine(chroma, "data.bin"), "x");
        VectorStoreBackup backup = Backup(folder, chroma);
        string manifestPath = Path.Combine(backup.Path, "manifest.json");
        JsonNode manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!;
        manifest["emptyFolders"]![0] = "chroma/../../escaped";
        File.WriteAllText(manifestPath, manifest.ToJsonString());
        string target = Directory.CreateDirectory(folder.File("target")).FullName;

        Assert.Contains(BackupCatalog.Test(backup.Path).Problems, p => p.Kind == BackupProblemKind.UnsafePath);
        Assert.Equal(ErrorIds.BackupManifestUnsafe, Assert.Throws<BatchOpsException>(() => new VectorStoreRestorer().Restore(backup, target)).ErrorId);
        Assert.Empty(Directory.GetFileSystemEntries(target));
        Assert.False(Directory.Exists(folder.File("escaped")));
    }

    [Fact]
    public void A_source_name_that_is_not_a_plain_name_is_refused()
    {
        using var folder = new TempFolder();
        (string index, _) = FaissStore(folder);
        VectorStoreBackup backup = Backup(folder, index);
        string manifestPath = Path.Combine(backup.Path, "manifest.json");
        JsonNode manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!;
        manifest["sources"]![0]!["name"] = "..";
        File.WriteAllText(manifestPath, manifest.ToJsonString());
        string target = Directory.CreateDirectory(folder.File("target")).FullName;

        Assert.Equal(ErrorIds.BackupManifestUnsafe, Assert.Throws<BatchOpsException>(() => new VectorStoreRestorer().Restore(backup, target)).ErrorId);
        Assert.Empty(Directory.GetFileSystemEntries(target));
    }

    [UnixFact]
    public void A_link_inside_a_set_is_refused_and_a_link_inside_a_source_is_not_backed_up()
    {
        using var folder = new TempFolder();
        (string index, string documents) = FaissStore(folder);
        VectorStoreBackup backup = Backup(folder, index, documents);
        string inSet = Path.Combine(backup.Path, "data", "document_data.pkl");
        File.Delete(inSet);
        File.CreateSymbolicLink(inSet, documents);
        Assert.Contains(BackupCatalog.Test(backup.Path).Problems, p => p.Kind == BackupProblemKind.Link);
        Assert.Equal(ErrorIds.BackupManifestUnsafe, Assert.Throws<BatchOpsException>(() => new VectorStoreRestorer().Restore(backup, null)).ErrorId);

        string chroma = Directory.CreateDirectory(folder.File("chroma")).FullName;
        File.CreateSymbolicLink(Path.Combine(chroma, "outside"), "/etc");
        int setsBefore = BackupCatalog.List(folder.File("backups")).Count;
        Assert.Equal(ErrorIds.BackupSourceInvalid, Assert.Throws<BatchOpsException>(() => Backup(folder, chroma)).ErrorId);
        Assert.Equal(setsBefore, BackupCatalog.List(folder.File("backups")).Count);
        Assert.Empty(Directory.GetDirectories(folder.File("backups"), ".*")); // the partial set was removed
    }

    [Fact]
    public void Bad_requests_are_refused_before_anything_is_written()
    {
        using var folder = new TempFolder();
        (string index, string documents) = FaissStore(folder);
        string destination = folder.File("backups");
        var writer = new VectorStoreBackupWriter();
        string Refused(BackupRequest request) => Assert.Throws<BatchOpsException>(() => writer.Create(request)).ErrorId;

        Assert.Equal(ErrorIds.BackupSourceNotFound, Refused(new BackupRequest { Paths = new[] { index, folder.File("missing.bin") }, Destination = destination }));
        Assert.Equal(ErrorIds.BackupSourceNotFound, Refused(new BackupRequest { Paths = Array.Empty<string>(), Destination = destination }));
        Directory.CreateDirectory(folder.File("other"));
        File.WriteAllText(folder.File("other/faiss_index.bin"), "x");
        Assert.Equal(ErrorIds.BackupSourceInvalid, Refused(new BackupRequest { Paths = new[] { index, folder.File("other/faiss_index.bin") }, Destination = destination }));
        Assert.Equal(ErrorIds.BackupDestinationInvalid, Refused(new BackupRequest { Paths = new[] { folder.File("store") }, Destination = folder.File("store/backups") }));
        Assert.Equal(ErrorIds.BackupDestinationInvalid, Refused(new BackupRequest { Paths = new[] { index }, Destination = documents }));
        Assert.Equal(ErrorIds.BackupNameInvalid, Refused(new BackupRequest { Paths = new[] { index }, Destination = destination, Name = "../x" }));
        Assert.Equal(ErrorIds.RetentionInvalid, Refused(new BackupRequest { Paths = new[] { index }, Destination = destination, Retention = new RetentionPolicy { Keep = 0 } }));
        Assert.False(Directory.Exists(destination));
        Assert.False(Directory.Exists(folder.File("store/backups")));
    }

    [Fact]
    public void Retention_keeps_the_newest_sets_and_the_newest_of_each_day_and_hour()
    {
        var start = new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);
        // Every 4 hours for 5 days (a schedule backups were kept on), plus two sets in the last hour.
        List<VectorStoreBackup> sets = Enumerable.Range(0, 30).Select(i => Set(start.AddHours(4 * i))).ToList();
        sets.Add(Set(start.AddHours(4 * 29).AddMinutes(20)));
        sets.Add(Set(start.AddHours(4 * 29).AddMinutes(40)));
        DateTime newest = start.AddHours(4 * 29).AddMinutes(40);

        IReadOnlyList<VectorStoreBackup> Expired(RetentionPolicy policy) => BackupRetention.SelectExpired(sets, policy, TimeZoneInfo.Utc);
        HashSet<DateTime> Kept(RetentionPolicy policy) => sets.Except(Expired(policy)).Select(s => s.Created).ToHashSet();

        Assert.Empty(Expired(new RetentionPolicy()));
        Assert.Equal(new[] { newest, newest.AddMinutes(-20), newest.AddMinutes(-40) }.ToHashSet(), Kept(new RetentionPolicy { Keep = 3 }));
        // Days 5, 4 and 3: the newest set of each is the one at 20:00 (day 5: 20:40).
        Assert.Equal(new[] { newest, new DateTime(2026, 11, 4, 20, 0, 0, DateTimeKind.Utc), new DateTime(2026, 11, 3, 20, 0, 0, DateTimeKind.Utc) }.ToHashSet(), Kept(new RetentionPolicy { KeepDaily = 3 }));
        // Hours with sets: 20:xx on day 5 (three sets: newest kept), 16:00, 12:00.
        Assert.Equal(new[] { newest, new DateTime(2026, 11, 5, 16, 0, 0, DateTimeKind.Utc), new DateTime(2026, 11, 5, 12, 0, 0, DateTimeKind.Utc) }.ToHashSet(), Kept(new RetentionPolicy { KeepHourly = 3 }));
        // Rules add up: the newest 2, plus the newest of 2 days (day 5's is already kept).
        Assert.Equal(new[] { newest, newest.AddMinutes(-20), new DateTime(2026, 11, 4, 20, 0, 0, DateTimeKind.Utc) }.ToHashSet(), Kept(new RetentionPolicy { Keep = 2, KeepDaily = 2 }));
        Assert.Equal(sets.Count - 3, Expired(new RetentionPolicy { Keep = 3 }).Count);

        static VectorStoreBackup Set(DateTime created) => new VectorStoreBackup { Name = "vectorstore-" + created.ToString("yyyyMMdd-HHmmss"), Created = created };
    }

    [Fact]
    public void Backup_applies_retention_after_a_successful_backup_only()
    {
        using var folder = new TempFolder();
        (string index, string documents) = FaissStore(folder);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero));
        var writer = new VectorStoreBackupWriter(clock) { RetentionZone = TimeZoneInfo.Utc };
        var request = new BackupRequest { Paths = new[] { index, documents }, Destination = folder.File("backups"), Retention = new RetentionPolicy { Keep = 3 } };
        var made = new List<string>();
        for (int i = 0; i < 5; i++)
        {
            BackupOutcome outcome = writer.Create(request);
            made.Add(outcome.Backup.Name);
            clock.Advance(TimeSpan.FromHours(4));
        }

        Assert.Equal(made.AsEnumerable().Reverse().Take(3), BackupCatalog.List(folder.File("backups")).Select(b => b.Name));

        // Another store's sets in the same folder are not counted, nor removed.
        new VectorStoreBackupWriter(clock).Create(new BackupRequest { Paths = new[] { documents }, Destination = folder.File("backups"), Name = "other" });

        // A failed backup (its source vanished) removes nothing.
        File.Delete(documents);
        Assert.Throws<BatchOpsException>(() => writer.Create(request));
        Assert.Equal(4, BackupCatalog.List(folder.File("backups")).Count);
        Assert.Single(BackupCatalog.List(folder.File("backups"), "other"));
    }

    [Fact]
    public void A_sqlite_store_is_backed_up_consistently_while_another_connection_writes()
    {
        using var folder = new TempFolder();
        string database = folder.File("chroma.sqlite3");
        using (SqliteConnection setup = BackupFiles.OpenSqlite(database))
        {
            BackupFiles.Execute(setup, "PRAGMA journal_mode = WAL; CREATE TABLE embeddings (id INTEGER PRIMARY KEY, vector BLOB NOT NULL); CREATE TABLE docs (id INTEGER PRIMARY KEY, body TEXT NOT NULL, embedding_id INTEGER NOT NULL);");
        }

        using var stop = new CancellationTokenSource();
        long committed = 0;
        Task writer = Task.Run(() =>
        {
            using SqliteConnection connection = BackupFiles.OpenSqlite(database);
            BackupFiles.Execute(connection, "PRAGMA busy_timeout = 30000");
            // Each transaction adds an embedding and its document: a consistent copy always has as many of each.
            while (!stop.IsCancellationRequested)
            {
                BackupFiles.Execute(connection, "BEGIN IMMEDIATE; INSERT INTO embeddings (vector) VALUES (randomblob(256)); INSERT INTO docs (body, embedding_id) VALUES ('chunk', last_insert_rowid()); COMMIT;");
                Interlocked.Increment(ref committed);
            }
        });

        SpinWait.SpinUntil(() => Interlocked.Read(ref committed) >= 200 || writer.IsCompleted);
        var backups = new List<VectorStoreBackup>();
        for (int i = 0; i < 3; i++)
        {
            backups.Add(Backup(folder, database));
        }

        stop.Cancel();
        writer.Wait();
        long final = Interlocked.Read(ref committed);

        foreach (VectorStoreBackup backup in backups)
        {
            BackupFile file = backup.Files.Single();
            Assert.Equal("Sqlite", file.Format);
            long embeddings = file.Tables!["embeddings"], docs = file.Tables["docs"];
            Assert.Equal(embeddings, docs);
            Assert.InRange(embeddings, 200, final);
            Assert.Equal(embeddings + docs, file.ItemCount);
            using SqliteConnection copy = BackupFiles.OpenSqlite(Path.Combine(backup.Path, "data", "chroma.sqlite3"));
            using SqliteCommand check = copy.CreateCommand();
            check.CommandText = "PRAGMA integrity_check";
            Assert.Equal("ok", check.ExecuteScalar());
            Assert.Equal(embeddings, BackupFiles.Scalar(copy, "SELECT COUNT(*) FROM embeddings"));
        }

        Assert.True(BackupCatalog.Test(backups[0].Path).IsValid);
        Assert.Equal(new[] { "chroma.sqlite3" }, backups[0].Files.Select(f => f.RelativePath)); // no -wal or -shm copied
    }

    [Fact]
    public void The_catalog_lists_complete_sets_newest_first_and_ignores_partial_folders()
    {
        using var folder = new TempFolder();
        (string index, _) = FaissStore(folder);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero));
        var writer = new VectorStoreBackupWriter(clock);
        var request = new BackupRequest { Paths = new[] { index }, Destination = folder.File("backups") };
        string first = writer.Create(request).Backup.Name;
        string second = writer.Create(request).Backup.Name; // the same second: a name of its own
        clock.Advance(TimeSpan.FromMinutes(1));
        string third = writer.Create(request).Backup.Name;
        Directory.CreateDirectory(Path.Combine(folder.File("backups"), ".vectorstore-20261122-090000-abcd.partial", "data"));
        Directory.CreateDirectory(Path.Combine(folder.File("backups"), "unrelated-folder"));

        Assert.Equal("vectorstore-20261122-080000", first);
        Assert.Equal("vectorstore-20261122-080000-2", second);
        Assert.Equal(new[] { third, second, first }, BackupCatalog.List(folder.File("backups")).Select(b => b.Name));

        BackupCatalog.Remove(BackupCatalog.Open(Path.Combine(folder.File("backups"), second)));
        Assert.Equal(new[] { third, first }, BackupCatalog.List(folder.File("backups")).Select(b => b.Name));
        Assert.Equal(ErrorIds.BackupDestinationInvalid, Assert.Throws<BatchOpsException>(() => BackupCatalog.List(folder.File("nowhere"))).ErrorId);
        Assert.Equal(ErrorIds.BackupNotFound, Assert.Throws<BatchOpsException>(() => BackupCatalog.Open(folder.File("nowhere"))).ErrorId);
    }

    [Fact]
    public void Two_restores_in_the_same_second_keep_both_safety_copies()
    {
        using var folder = new TempFolder();
        (string index, _) = FaissStore(folder);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero));
        VectorStoreBackup backup = new VectorStoreBackupWriter(clock).Create(new BackupRequest { Paths = new[] { index }, Destination = folder.File("backups") }).Backup;
        var restorer = new VectorStoreRestorer(clock);

        BackupFiles.WriteFaissFlat(index, 4, 3);
        string first = restorer.Restore(backup, targetFolder: null).SafetyCopy!;
        BackupFiles.WriteFaissFlat(index, 4, 5);
        string second = restorer.Restore(backup, targetFolder: null).SafetyCopy!;

        Assert.NotEqual(first, second);
        Assert.True(File.Exists(Path.Combine(first, "faiss_index.bin")) && File.Exists(Path.Combine(second, "faiss_index.bin")), $"{first} and {second} are both kept");
    }

    [Fact]
    public void A_set_whose_item_count_dropped_is_passed_over_for_the_one_before_it()
    {
        using var folder = new TempFolder();
        (string index, _) = FaissStore(folder);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero));
        var writer = new VectorStoreBackupWriter(clock);
        var request = new BackupRequest { Paths = new[] { index }, Destination = folder.File("backups") };
        BackupFiles.WriteFaissFlat(index, 4, 116);
        BackupOutcome whole = writer.Create(request);
        Assert.Null(whole.CountDrop);
        clock.Advance(TimeSpan.FromHours(4));
        BackupFiles.WriteFaissFlat(index, 4, 7); // the damage, then a backup of it
        BackupOutcome damaged = writer.Create(request);

        Assert.Contains("dropped from 116 to 7", damaged.CountDrop);
        var skipped = new List<SkippedBackup>();
        Assert.Equal(whole.Backup.Name, BackupCatalog.NewestValid(folder.File("backups"), null, skipped.Add).Name);
        Assert.Equal(damaged.Backup.Name, skipped.Single().Name);
        Assert.Equal(damaged.Backup.Name, BackupCatalog.NewestValid(folder.File("backups"), null, allowDrop: true).Name);
    }

    [Fact]
    public void The_newest_valid_set_is_found_past_newer_broken_ones()
    {
        using var folder = new TempFolder();
        (string index, _) = FaissStore(folder);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero));
        var writer = new VectorStoreBackupWriter(clock);
        var request = new BackupRequest { Paths = new[] { index }, Destination = folder.File("backups") };
        string good = writer.Create(request).Backup.Name;
        clock.Advance(TimeSpan.FromHours(1));
        VectorStoreBackup broken = writer.Create(request).Backup;
        File.Delete(Path.Combine(broken.Path, "data", "faiss_index.bin"));
        clock.Advance(TimeSpan.FromHours(1));
        writer.Create(new BackupRequest { Paths = new[] { index }, Destination = folder.File("backups"), Name = "other" });

        var skipped = new List<string>();
        Assert.Equal(good, BackupCatalog.NewestValid(folder.File("backups"), "vectorstore", t => skipped.Add(t.Name)).Name);
        Assert.Equal(new[] { broken.Name }, skipped);
        Assert.Equal(ErrorIds.BackupNotFound, Assert.Throws<BatchOpsException>(() => BackupCatalog.NewestValid(folder.File("backups"), "none")).ErrorId);
        Assert.Equal(ErrorIds.BackupNotFound, Assert.Throws<BatchOpsException>(() => BackupCatalog.Test(folder.File("no-set"))).ErrorId);
    }

    public static IEnumerable<object[]> RestoreSteps() => Enumerable.Range(0, 9).Select(i => new object[] { i });

    [Theory]
    [MemberData(nameof(RestoreSteps))]
    public void A_restore_stopped_at_any_step_is_recovered_to_the_old_or_the_new_store_whole(int stopAt)
    {
        using var folder = new TempFolder();
        (string index, string documents) = FaissStore(folder, vectors: 1200);
        VectorStoreBackup backup = Backup(folder, index, documents);
        BackupFiles.WriteFaissFlat(index, 4, 10);
        BackupFiles.WriteOpaque(documents, 70, seed: 2);
        string oldStore = BackupFiles.Fingerprint(index) + BackupFiles.Fingerprint(documents);

        var steps = new List<string>();
        var restorer = new VectorStoreRestorer { OnStep = step => { steps.Add(step); if (steps.Count == stopAt + 1) { throw new IOException("killed at " + step); } } };
        bool stopped = false;
        try
        {
            restorer.Restore(backup, null);
        }
        catch (IOException)
        {
            stopped = true;
        }

        // The next backup or restore of these paths recovers first; here, directly.
        RestoreJournal.RecoverFor(new[] { index, documents });
        string now = BackupFiles.Fingerprint(index) + BackupFiles.Fingerprint(documents);
        string newStore = string.Concat(backup.Files.Select(f => f.Sha256.ToUpperInvariant()));

        Assert.True(now == oldStore || now == newStore, $"after step {stopAt} ({string.Join(", ", steps)}): a mix of old and new");
        Assert.Equal(stopped && !steps.Contains("committed") ? oldStore : newStore, now);
        Assert.Empty(Directory.GetFileSystemEntries(folder.File("store"), "*.batchops-*"));
        Assert.False(File.Exists(Path.Combine(folder.File("store"), ".batchops-restore.json")));
    }

    [Fact]
    public void A_backup_removes_partials_of_dead_backups_on_this_machine_only()
    {
        using var folder = new TempFolder();
        string index = folder.File("faiss_index.bin");
        BackupFiles.WriteFaissFlat(index, 4, 10);
        string destination = Directory.CreateDirectory(folder.File("backups")).FullName;
        string Partial(string name, string? owner, DateTime? written = null)
        {
            string path = Directory.CreateDirectory(Path.Combine(destination, "." + name + ".partial")).FullName;
            if (owner != null)
            {
                File.WriteAllText(Path.Combine(path, VectorStoreBackupWriter.OwnerFile), owner);
            }

            if (written is DateTime when)
            {
                Directory.SetLastWriteTimeUtc(path, when);
            }

            return path;
        }

        RunHost self = RunHost.Current;
        string dead = Partial("dead", $"{self.Machine}\n{int.MaxValue - 7}\n1");
        string alive = Partial("alive", $"{self.Machine}\n{self.ProcessId}\n{self.ProcessStartedMs}");
        string foreign = Partial("foreign", "another-machine\n1\n1");
        string oldOwnerless = Partial("old", null, DateTime.UtcNow.AddDays(-2));
        string newOwnerless = Partial("new", null);

        BackupOutcome outcome = new VectorStoreBackupWriter().Create(new BackupRequest { Paths = new[] { index }, Destination = destination });

        Assert.Equal(new[] { dead, oldOwnerless }.OrderBy(p => p), outcome.AbandonedPartials.OrderBy(p => p)); // older partials: owner files
        Assert.False(Directory.Exists(dead));
        Assert.True(Directory.Exists(alive));
        Assert.True(Directory.Exists(foreign));
        Assert.True(Directory.Exists(newOwnerless));
        Assert.False(File.Exists(Path.Combine(outcome.Backup.Path, VectorStoreBackupWriter.OwnerFile)));
        Assert.True(BackupCatalog.Test(outcome.Backup.Path).IsValid);
    }

    [Fact]
    public void A_partial_folder_names_its_owner_so_a_kill_at_any_moment_leaves_one_the_sweep_can_judge()
    {
        using var folder = new TempFolder();
        string index = folder.File("faiss_index.bin");
        BackupFiles.WriteFaissFlat(index, 4, 10);
        string destination = Directory.CreateDirectory(folder.File("backups")).FullName;
        RunHost self = RunHost.Current;
        string Partial(string name, RunHost owner) =>
            Directory.CreateDirectory(Path.Combine(destination, "." + name + PartialOwner.Tag(owner) + BackupPaths.PartialSuffix)).FullName;

        // Empty, as a folder killed right after it was made is: its name alone says whose it is.
        string dead = Partial("vectorstore-20261201-120000-aaaaaaaa", new RunHost(self.Machine, int.MaxValue - 7, 1, self.User));
        string alive = Partial("vectorstore-20261201-120000-bbbbbbbb", self);
        string foreign = Partial("vectorstore-20261201-120000-cccccccc", new RunHost("another-machine", int.MaxValue - 7, 1, self.User));

        BackupOutcome outcome = new VectorStoreBackupWriter().Create(new BackupRequest { Paths = new[] { index }, Destination = destination });

        Assert.Equal(new[] { dead }, outcome.AbandonedPartials);
        Assert.True(Directory.Exists(alive));
        Assert.True(Directory.Exists(foreign));
        Assert.Empty(Directory.GetFileSystemEntries(outcome.Backup.Path, VectorStoreBackupWriter.OwnerFile, SearchOption.AllDirectories));
    }
}
