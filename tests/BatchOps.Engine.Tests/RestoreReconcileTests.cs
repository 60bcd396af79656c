using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using BatchOps.Engine.Backup;
using BatchOps.Engine.Health;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;
using Xunit;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Tests;

/// <summary>
/// A restore that keeps the job true: the vector store goes back to a run's backup set, and exactly the items whose
/// results were added after that set was taken go back to pending, in one journaled operation.
/// </summary>
public class RestoreReconcileTests
{
    /// <summary>A vector store of two files: a FAISS index (its header counts the vectors) and the keys it holds.</summary>
    private sealed class VectorStore
    {
        private readonly object _gate = new object();
        private long _vectors;

        public VectorStore(string folder)
        {
            Index = Path.Combine(folder, "faiss_index.bin");
            Keys = Path.Combine(folder, "keys.txt");
            BackupFiles.WriteFaissFlat(Index, 2, 0);
            File.WriteAllText(Keys, "");
        }

        public string Index { get; }

        public string Keys { get; }

        public string[] Paths => new[] { Index, Keys };

        public void Add(string key)
        {
            lock (_gate)
            {
                BackupFiles.WriteFaissFlat(Index, 2, ++_vectors);
                File.AppendAllText(Keys, key + "\n");
            }
        }

        public string[] Held() => File.ReadAllLines(Keys).Where(k => k.Length > 0).OrderBy(k => k, StringComparer.Ordinal).ToArray();
    }

    // 15 items in batches of 5, a backup after batch 2 (10 vectors) and at the end (15): the evaluator's "index 10, job 15".
    private static (VectorStoreBackup AfterTen, VectorStore Vectors) RunWithBackups(TempFolder folder, SqliteJobStore store)
    {
        BatchJob job = Stores.Seed(store, "embed", 15);
        var vectors = new VectorStore(Directory.CreateDirectory(folder.File("vs")).FullName);
        RunOptions options = RunnerTests.Fast(batchSize: 5, throttle: 2);
        options.Backup = new BackupRequest { Paths = vectors.Paths, Destination = folder.File("backups"), Name = "docs" };
        options.BackupEvery = 2;
        BatchRunSummary summary = new BatchRunner(store, DelegateProcessor.FromSync(item =>
        {
            vectors.Add(item.Key);
            return ItemResult.Success();
        }), options).RunAsync(job).GetAwaiter().GetResult();
        Assert.Equal(15, summary.Succeeded);
        VectorStoreBackup afterTen = BackupCatalog.List(folder.File("backups")).Single(s => s.ItemCount == 10);
        Assert.Equal(("embed", summary.RunId, 2L), (afterTen.Job!.Job, afterTen.Job.RunId, afterTen.Job.Batches));
        Assert.Equal(store.Location, afterTen.Job.Store);
        return (afterTen, vectors);
    }

    private static string[] Succeeded(IJobStore store) =>
        store.GetItems(store.GetJob("embed"), new ItemQuery { Status = ItemStatus.Succeeded }).Select(i => i.Key).OrderBy(k => k, StringComparer.Ordinal).ToArray();

    [Fact]
    public void Restoring_a_run_s_set_with_its_job_returns_exactly_the_later_items_to_pending()
    {
        using var folder = new TempFolder();
        using var store = Stores.Open(folder);
        (VectorStoreBackup set, VectorStore vectors) = RunWithBackups(folder, store);

        JobReconciliation reconcile = JobReconciliation.Prepare(set, store.Location, "embed");
        VectorStoreRestore restore = new VectorStoreRestorer().Restore(set, null, reconcile);

        Assert.Equal(10, vectors.Held().Length);
        Assert.Equal(5L, restore.ItemsReturned);
        Assert.Equal(vectors.Held(), Succeeded(store));
        Assert.Equal(5, store.GetJob("embed").Pending);
        Stores.AssertCountersMatchItems(store, "embed");

        // A restarted processor redoes only those five, and the store and the job agree again. Its workers append to
        // the keys file one at a time: unsynchronised appends from several threads can lose or overwrite a line.
        var appending = new object();
        BatchRunSummary again = new BatchRunner(store, DelegateProcessor.FromSync(item =>
        {
            lock (appending)
            {
                File.AppendAllText(vectors.Keys, item.Key + "\n");
            }

            return ItemResult.Success();
        }), RunnerTests.Fast()).RunAsync(store.GetJob("embed")).GetAwaiter().GetResult();
        Assert.Equal(5, again.Succeeded);
        Assert.Equal(vectors.Held(), Succeeded(store));

        // Applying the same reconciliation again touches nothing: those items finished after the restore began.
        Assert.Equal(0, reconcile.Apply());
        Assert.Equal(15, Succeeded(store).Length);
    }

    [Fact]
    public void A_set_made_with_a_job_s_mark_outside_a_run_reconciles_the_same_way()
    {
        using var folder = new TempFolder();
        using var store = Stores.Open(folder);
        BatchJob job = Stores.Seed(store, "embed", 8);
        var vectors = new VectorStore(Directory.CreateDirectory(folder.File("vs")).FullName);
        DelegateProcessor embed = DelegateProcessor.FromSync(item =>
        {
            vectors.Add(item.Key);
            return ItemResult.Success();
        });
        new BatchRunner(store, embed, new RunOptions { BatchSize = 3, MaxItems = 3 }).RunAsync(job).GetAwaiter().GetResult();
        VectorStoreBackup set = new VectorStoreBackupWriter().Create(new BackupRequest { Paths = vectors.Paths, Destination = folder.File("manual"), JobMark = BackupJobMark.Now(store.Location, store.GetJob("embed"), store.NowMs()) }).Backup;
        new BatchRunner(store, embed, new RunOptions { BatchSize = 3 }).RunAsync(store.GetJob("embed")).GetAwaiter().GetResult();

        VectorStoreRestore restore = new VectorStoreRestorer().Restore(BackupCatalog.Open(set.Path), null, JobReconciliation.Prepare(BackupCatalog.Open(set.Path), store.Location, "embed"));

        Assert.Equal(5L, restore.ItemsReturned);
        Assert.Equal(3, vectors.Held().Length);
        Assert.Equal(vectors.Held(), Succeeded(store));
        Assert.Equal("a backup of job 'embed' outside a run", set.Job!.ToString());
    }

    [Fact]
    public void A_set_without_a_job_or_of_another_job_is_refused_before_anything_is_restored()
    {
        using var folder = new TempFolder();
        using var store = Stores.Open(folder);
        (VectorStoreBackup set, VectorStore vectors) = RunWithBackups(folder, store);
        VectorStoreBackup manual = new VectorStoreBackupWriter().Create(new BackupRequest { Paths = vectors.Paths, Destination = folder.File("manual") }).Backup;
        Stores.Seed(store, "other", 1);

        var none = Assert.Throws<BatchOpsException>(() => JobReconciliation.Prepare(manual, store.Location, "embed"));
        var other = Assert.Throws<BatchOpsException>(() => JobReconciliation.Prepare(set, store.Location, "other"));
        var missing = Assert.Throws<BatchOpsException>(() => JobReconciliation.Prepare(set, folder.File("none.db"), "embed"));
        var unknown = Assert.Throws<BatchOpsException>(() => JobReconciliation.Prepare(set, store.Location, "nosuch"));

        Assert.Equal(ErrorIds.RestoreNotReconcilable, none.ErrorId);
        Assert.Contains("records no job", none.Message);
        Assert.Equal(ErrorIds.RestoreJobMismatch, other.ErrorId);
        Assert.Contains("'embed'", other.Message);
        Assert.Equal(ErrorIds.StoreNotFound, missing.ErrorId);
        Assert.Equal(ErrorIds.JobNotFound, unknown.ErrorId); // a job the store lacks is named as such, not as another job's set
        Assert.Equal(15, vectors.Held().Length);
        Assert.Equal(15, Succeeded(store).Length);
    }

    [Theory]
    [InlineData("journal", 15)]   // killed before any file was swapped: the old store and the job as they were
    [InlineData("committed", 10)] // killed after the swap, before the job was reconciled: recovery reconciles it
    public void A_restore_killed_midway_is_finished_by_the_next_restore_with_items_and_files_consistent(string step, int held)
    {
        using var folder = new TempFolder();
        VectorStoreBackup set;
        VectorStore vectors;
        string storePath;
        using (var store = Stores.Open(folder))
        {
            (set, vectors) = RunWithBackups(folder, store);
            storePath = store.Location;
        }

        using (Process host = StartHost("restore-job", set.Path, storePath, "embed", step))
        {
            string? line = host.StandardOutput.ReadLine(); // the host says where it stopped, then waits to be killed
            Assert.True(line == "at " + step, $"the host said '{line}': {(host.HasExited ? host.StandardError.ReadToEnd() : "")}");
            host.Kill(entireProcessTree: true);
            host.WaitForExit();
        }

        string journal = Path.Combine(Path.GetDirectoryName(vectors.Index)!, RestoreJournal.FileName);
        Assert.True(File.Exists(journal));
        using (var store = SqliteJobStore.Open(storePath, StoreAccess.ReadWriteExisting))
        {
            Assert.Equal(15, Succeeded(store).Length); // not reconciled yet in either case
        }

        Assert.True(RestoreJournal.RecoverFor(vectors.Paths)); // what the next restore, backup or watch does first

        using (var store = SqliteJobStore.Open(storePath, StoreAccess.ReadWriteExisting))
        {
            Assert.False(File.Exists(journal));
            Assert.Equal(held, vectors.Held().Length);
            Assert.Equal(vectors.Held(), Succeeded(store));
            Assert.Equal(15 - held, store.GetJob("embed").Pending);
            Stores.AssertCountersMatchItems(store, "embed");
        }
    }

    [Fact]
    public async Task Auto_restore_suspends_the_job_s_runs_restores_reconciles_and_resumes_them()
    {
        using var folder = new TempFolder();
        using var store = Stores.Open(folder);
        using var other = Stores.Open(folder);
        BatchJob job = Stores.Seed(store, "embed", 6);
        var vectors = new VectorStore(Directory.CreateDirectory(folder.File("vs")).FullName);
        RunOptions options = RunnerTests.Fast(batchSize: 2, throttle: 1);
        options.Continuous = true;
        options.Backup = new BackupRequest { Paths = vectors.Paths, Destination = folder.File("backups"), Name = "docs" };
        options.BackupFirst = true; // the one set: taken before any item, so it holds none of them
        var events = new EventLog();
        var runner = new BatchRunner(store, DelegateProcessor.FromSync(item =>
        {
            vectors.Add(item.Key);
            return ItemResult.Success();
        }), options, events.Writer) { WakeCheckInterval = TimeSpan.FromMilliseconds(50) };
        Task<BatchRunSummary> run = runner.RunAsync(job);
        await Processors.WaitUntil(() => other.GetJob("embed").Succeeded == 6, "the six items to succeed");

        string action = new DataLossRecovery(folder.File("backups"), "docs", vectors.Paths).Recover(new HealthSample { Reasons = new[] { "vector store lost data" } });

        Assert.Contains($"Run(s) {runner.RunId} of job 'embed' were suspended during the restore and resumed.", action);
        Assert.Contains("6 item(s) of job 'embed' that succeeded after the set was taken are pending again", action);
        await Processors.WaitUntil(() => other.GetJob("embed").Succeeded == 6 && vectors.Held().Length == 6, "the resumed run to redo the six");
        runner.RequestStop();
        await run;
        Assert.Equal(vectors.Held(), Succeeded(other));
        var notices = events.Drain().OfType<RunNoticeEvent>().Select(e => e.Kind).ToList();
        Assert.Contains(RunNoticeKind.Suspended, notices);
        Assert.Contains(RunNoticeKind.Resumed, notices);
    }

    private static Process StartHost(params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "BatchOps.Engine.TestHost.dll"));
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return Process.Start(info)!;
    }
}
