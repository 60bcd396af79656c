using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Threading.Channels;
using System.Threading.Tasks;
using BatchOps.Engine.Backup;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Reporting;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;
using Microsoft.Data.Sqlite;
using Xunit;
using BatchOps.Engine.Errors;
using BatchOps.Engine.Input;

namespace BatchOps.Engine.Tests;

/// <summary>
/// A disk that fills up under a run, for real: a 2 MB tmpfs holds the store, the log or the backups, a filler file
/// takes all but a little of it, the run fails with its own ErrorId and the free space it saw, then the filler goes
/// and the same run resumes.
/// </summary>
public class DiskFullTests
{
    private static readonly string Result = new string('v', 8192); // each outcome grows the store by ~8 KB

    [SmallDiskFact]
    public async Task A_full_store_disk_stops_the_run_cleanly_and_the_same_run_resumes_once_space_is_back()
    {
        using var disk = new SmallDisk("8m"); // room for the store's 1 MB reserve when the run starts
        string path = Path.Combine(disk.Path, "jobs.db");
        var runs = new ConcurrentDictionary<string, int>();
        var processor = DelegateProcessor.FromSync(item =>
        {
            runs.AddOrUpdate(item.Key, 1, (_, n) => n + 1);
            return ItemResult.Success(Result);
        });

        BatchRunSummary first;
        Exception? failure;
        using (SqliteJobStore store = SqliteJobStore.Open(path))
        {
            BatchJob job = Stores.Seed(store, "embed", 400);
            RunOptions some = RunnerTests.Fast(batchSize: 10, throttle: 4);
            some.MaxItems = 100;
            Assert.Equal(100, (await new BatchRunner(store, processor, some).RunAsync(job)).Succeeded);

            disk.Fill(leaveBytes: 300 * 1024); // far less than the 2.4 MB the 300 results left need
            var runner = new BatchRunner(store, processor, RunnerTests.Fast(batchSize: 10, throttle: 4));
            first = await runner.RunAsync(store.GetJob("embed"));
            failure = first.Failure?.GetException();

            var full = Assert.IsType<BatchOpsException>(failure);
            Assert.True(full.ErrorId == ErrorIds.StoreDiskFull, full.Message);
            Assert.Contains(path, full.Message);
            Assert.Matches(@"\((\d+ bytes|\d+\.\d KB) free of 8\.0 MB\)", full.Message);
            Assert.Equal(RunState.Failed, first.State);
            Assert.True(first.Remaining > 0);

            // Nothing is left in flight: what the run had not recorded is pending again; the counters agree.
            BatchJob after = store.GetJob("embed");
            Assert.True(after.Running == 0, first.Message);
            Assert.Equal(400, after.Pending + after.Succeeded);
            Assert.Equal(100 + first.Succeeded, after.Succeeded);
            Stores.AssertCountersMatchItems(store, "embed");
            Assert.Equal(RunState.Failed, store.GetCheckpoint(after)!.State);
        }

        Assert.Equal("ok", IntegrityCheck(path));
        disk.Free();

        using (SqliteJobStore store = SqliteJobStore.Open(path))
        {
            var again = new BatchRunner(store, processor, RunnerTests.Fast(batchSize: 10, throttle: 4));
            BatchRunSummary second = await again.RunAsync(store.GetJob("embed"));
            Assert.Null(second.Failure);
            Assert.Equal(RunState.Completed, second.State);
            Assert.Equal(400, store.GetJob("embed").Succeeded);
            Assert.Equal(400, 100 + first.Succeeded + second.Succeeded); // each success recorded once
            Stores.AssertCountersMatchItems(store, "embed");
        }

        Assert.Equal(400, runs.Count); // every item ran; re-runs only of what was in flight at the failure
        Assert.Equal("ok", IntegrityCheck(path));
    }

    [SmallDiskFact]
    public void A_store_on_a_full_disk_refuses_a_new_job_with_the_free_space_and_stays_intact()
    {
        using var disk = new SmallDisk();
        string path = Path.Combine(disk.Path, "jobs.db");
        using (SqliteJobStore store = SqliteJobStore.Open(path))
        {
            Stores.Seed(store, "embed", 10);
            disk.Fill(leaveBytes: 0);
            BatchJob job = store.GetJob("embed");
            var big = Enumerable.Range(0, 2000).Select(i => new NewItem("more-" + i, PayloadJson.FromText(Result))).ToList();
            var e = Assert.Throws<BatchOpsException>(() => store.Enqueue(job, big));
            Assert.Equal(ErrorIds.StoreDiskFull, e.ErrorId);
            Assert.Contains("free of", e.Message);
            Assert.Equal(10, store.GetJob("embed").Total); // the chunk was rolled back
        }

        Assert.Equal("ok", IntegrityCheck(path));
    }

    [SmallDiskFact]
    public async Task A_run_log_that_fills_its_disk_stops_the_run_with_LogDiskFull_and_the_run_resumes()
    {
        using var disk = new SmallDisk();
        using var folder = new TempFolder();
        using SqliteJobStore store = Stores.Open(folder);
        BatchJob job = Stores.Seed(store, "embed", 300);
        string logs = Path.Combine(disk.Path, "logs");
        disk.Fill(leaveBytes: 12 * 1024);

        (BatchRunSummary summary, Exception? failure, RunLogWriter log) = await RunWithLog(store, job, logs);
        var full = Assert.IsType<BatchOpsException>(failure);
        Assert.Equal(ErrorIds.LogDiskFull, full.ErrorId);
        Assert.Same(full, log.Failure);
        Assert.Contains(logs, full.Message);
        Assert.Contains("free of 2.0 MB", full.Message);
        Assert.Equal(RunState.Failed, summary.State);
        Assert.True(summary.Remaining > 0);
        Assert.Equal(0, store.GetJob("embed").Running);

        disk.Free();
        File.WriteAllText(Path.Combine(logs, "resumed"), "");
        (BatchRunSummary resumed, Exception? none, _) = await RunWithLog(store, store.GetJob("embed"), logs);
        Assert.Null(none);
        Assert.Equal(RunState.Completed, resumed.State);
        Assert.Equal(300, store.GetJob("embed").Succeeded);
    }

    [SmallDiskFact]
    public void A_backup_that_fills_its_disk_leaves_no_set_and_says_BackupDiskFull()
    {
        using var disk = new SmallDisk();
        using var folder = new TempFolder();
        string source = folder.File("faiss_index.bin");
        File.WriteAllBytes(source, Enumerable.Range(0, 600 * 1024).Select(i => (byte)(i * 7)).ToArray());
        string destination = Path.Combine(disk.Path, "backups");
        Directory.CreateDirectory(destination);
        disk.Fill(leaveBytes: 200 * 1024);

        var request = new BackupRequest { Paths = new[] { source }, Destination = destination, Name = "docs" };
        var e = Assert.Throws<BatchOpsException>(() => new VectorStoreBackupWriter().Create(request));
        Assert.Equal(ErrorIds.BackupDiskFull, e.ErrorId);
        Assert.Contains(destination, e.Message);
        Assert.Contains("free of 2.0 MB", e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(destination)); // no set, and no partial one
        Assert.Empty(BackupCatalog.List(destination, null));

        disk.Free();
        VectorStoreBackup made = new VectorStoreBackupWriter().Create(request).Backup;
        Assert.Single(BackupCatalog.List(destination, null));
        Assert.Equal(600 * 1024, made.TotalBytes);
    }

    [SmallDiskFact]
    public async Task A_run_whose_backup_fills_its_disk_stops_with_BackupDiskFull_before_processing()
    {
        using var disk = new SmallDisk();
        using var folder = new TempFolder();
        using SqliteJobStore store = Stores.Open(folder);
        BatchJob job = Stores.Seed(store, "embed", 20);
        string source = folder.File("faiss_index.bin");
        File.WriteAllBytes(source, new byte[600 * 1024]);
        disk.Fill(leaveBytes: 100 * 1024);

        RunOptions options = RunnerTests.Fast();
        options.Backup = new BackupRequest { Paths = new[] { source }, Destination = Path.Combine(disk.Path, "backups"), Name = "docs" };
        options.BackupFirst = true;
        var runner = new BatchRunner(store, Processors.Succeed(), options);
        BatchRunSummary summary = await runner.RunAsync(job);

        var full = Assert.IsType<BatchOpsException>(summary.Failure?.GetException());
        Assert.Equal(ErrorIds.BackupDiskFull, full.ErrorId);
        Assert.Equal(StopReason.BackupFailed, summary.StopReason);
        Assert.Equal(0, summary.Succeeded);
        Assert.Equal(20, store.GetJob("embed").Pending);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(disk.Path, "backups")));
    }

    /// <summary>Runs the job with its log in a folder, as Start-BatchRun -LogPath does: a full log stops the run.</summary>
    private static async Task<(BatchRunSummary, Exception?, RunLogWriter)> RunWithLog(SqliteJobStore store, BatchJob job, string logs)
    {
        var events = Channel.CreateUnbounded<RunEvent>();
        var log = new RunLogWriter(logs, job.Name);
        var logFull = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Items after the first 100 wait (on a first run) until the log has filled its disk, so that the stop comes while
        // work is left, however fast the run is compared with the log.
        var processor = new DelegateProcessor(async (item, cancel) =>
        {
            if (string.CompareOrdinal(item.Key, "item-00100") >= 0 && !File.Exists(Path.Combine(logs, "resumed")))
            {
                await logFull.Task.WaitAsync(TimeSpan.FromSeconds(60), cancel);
            }

            return ItemResult.Success("ok");
        });
        var runner = new BatchRunner(store, processor, RunnerTests.Fast(batchSize: 1, throttle: 1), events.Writer);
        log.Failed = e =>
        {
            runner.Abort(e);
            logFull.TrySetResult();
        };
        Task<BatchRunSummary> run = runner.RunAsync(job);
        Task pump = Task.Run(async () =>
        {
            while (await events.Reader.WaitToReadAsync())
            {
                while (events.Reader.TryRead(out RunEvent? e))
                {
                    log.Write(e);
                }
            }
        });

        BatchRunSummary summary = await run;
        events.Writer.TryComplete();
        await pump;
        log.WriteSummary(summary);
        log.Dispose();
        return (summary, summary.Failure?.GetException() ?? log.Failure, log);
    }

    private static string IntegrityCheck(string path)
    {
        using var connection = new SqliteConnection("Data Source=" + path + ";Pooling=False");
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check";
        return (string)command.ExecuteScalar()!;
    }
}
