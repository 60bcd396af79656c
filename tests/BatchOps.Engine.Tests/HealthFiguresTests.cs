using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using BatchOps.Engine.Health;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;
using Xunit;
using BatchOps.Engine.Platform;

namespace BatchOps.Engine.Tests;

/// <summary>Health and checkpoint figures a person can trust: rates, time left, dead runners, the run shown.</summary>
public class HealthFiguresTests
{
    [Fact]
    public void Active_time_is_the_union_of_the_runs_clipped_to_the_window()
    {
        var runs = new[] { (0L, 10L), (5L, 15L), (20L, 30L), (40L, 50L) };
        Assert.Equal(7 + 5, ActiveTime.Milliseconds(runs, sinceMs: 8, nowMs: 25));
        Assert.Equal(0, ActiveTime.Milliseconds(runs, sinceMs: 16, nowMs: 19));
        Assert.Equal(15 + 10 + 10, ActiveTime.Milliseconds(runs, sinceMs: 0, nowMs: 100));
    }

    [Fact]
    public void The_reported_rate_is_the_rate_the_run_achieved()
    {
        using var folder = new TempFolder();
        using var store = Stores.Open(folder);
        BatchJob job = Stores.Seed(store, "embed", 400);
        var processor = DelegateProcessor.FromSync(_ =>
        {
            Thread.Sleep(1); // some work, so that the run lasts a measurable while
            return ItemResult.Success();
        });
        BatchRunSummary summary = new BatchRunner(store, processor, new RunOptions { BatchSize = 10, ThrottleLimit = 2 }).RunAsync(job).GetAwaiter().GetResult();
        double measured = summary.Succeeded / summary.Duration.TotalSeconds;

        double reported = new HealthMonitor(store, "embed", null, null, new FixedProbes()).Sample().ItemsPerSecond!.Value;

        Assert.InRange(reported, measured / 2, measured * 2);
    }

    [Fact]
    public void A_job_that_no_run_is_working_on_has_no_time_left()
    {
        using var folder = new TempFolder();
        using var store = Stores.Open(folder);
        BatchJob job = Stores.Seed(store, "embed", 20);
        new BatchRunner(store, DelegateProcessor.FromSync(_ => ItemResult.Success()), new RunOptions { BatchSize = 5, MaxItems = 10 }).RunAsync(job).GetAwaiter().GetResult();

        HealthSample sample = new HealthMonitor(store, "embed", null, null, new FixedProbes()).Sample();

        Assert.Equal(10, store.GetJob("embed").Pending);
        Assert.Null(sample.Eta);
    }

    [Fact]
    public void A_run_whose_process_on_this_machine_is_gone_shows_as_abandoned_and_health_is_critical_at_once()
    {
        using var folder = new TempFolder();
        using var store = Stores.Open(folder);
        BatchJob job = Stores.Seed(store, "embed", 3);
        int gone;
        using (var exited = Process.Start(new ProcessStartInfo("dotnet", "--version") { UseShellExecute = false, RedirectStandardOutput = true })!)
        {
            exited.StandardOutput.ReadToEnd();
            exited.WaitForExit();
            gone = exited.Id;
        }

        long runId = store.StartRun(job.Id, new RunStart { Host = RunHost.Current.Machine, ProcessId = gone });

        BatchCheckpoint checkpoint = store.GetCheckpoint(job)!;
        Assert.Equal(runId, checkpoint.RunId);
        Assert.Equal(RunState.Abandoned, checkpoint.State);
        Assert.Equal(RunActivity.Ended, checkpoint.Activity);
        Assert.Contains($"process {gone}", checkpoint.Message);

        HealthSample sample = new HealthMonitor(store, "embed", null, null, new FixedProbes()).Sample();
        Assert.Equal(HealthStatus.Critical, sample.Status);
        Assert.Contains($"run {runId}'s process {gone} is gone without a final checkpoint", sample.Reasons);
        Assert.Null(sample.Eta);
    }

    [Fact]
    public void The_checkpoint_is_the_newest_run_that_did_work_with_the_job_s_last_backup()
    {
        using var folder = new TempFolder();
        using var store = Stores.Open(folder);
        BatchJob job = Stores.Seed(store, "embed", 10);
        var runner = new BatchRunner(store, DelegateProcessor.FromSync(_ => ItemResult.Success()), new RunOptions { BatchSize = 5 });
        BatchRunSummary worked = runner.RunAsync(job).GetAwaiter().GetResult();
        store.RecordRunBackup(worked.RunId, "faiss-20261201-120000");

        BatchRunSummary nothingToDo = new BatchRunner(store, DelegateProcessor.FromSync(_ => ItemResult.Success()), new RunOptions { BatchSize = 5 })
            .RunAsync(store.GetJob("embed")).GetAwaiter().GetResult();

        BatchCheckpoint checkpoint = store.GetCheckpoint(store.GetJob("embed"))!;
        Assert.NotEqual(worked.RunId, nothingToDo.RunId);
        Assert.Equal(worked.RunId, checkpoint.RunId);
        Assert.Equal(2, checkpoint.CurrentBatch);
        Assert.Equal("faiss-20261201-120000", checkpoint.LastBackup);
        Assert.Equal(RunActivity.Ended, checkpoint.Activity);
    }
}

/// <summary>A vector store's loss seen by a single sample, against its last backup (a cron'd check, a late watcher).</summary>
public class BackupBaselineTests
{
    [Fact]
    public void A_first_sample_sees_a_loss_against_the_newest_backup_of_the_same_paths()
    {
        using var folder = new TempFolder();
        string index = folder.File("faiss_index.bin");
        string backups = folder.File("backups");
        BackupFiles.WriteFaissFlat(index, 4, 116);
        new Backup.VectorStoreBackupWriter().Create(new Backup.BackupRequest { Paths = new[] { index }, Destination = backups, Name = "faiss" });
        BackupFiles.WriteFaissFlat(index, 4, 7);

        VectorStoreReading? baseline = BackupBaseline.For(backups, "faiss", new[] { index });
        HealthSample sample = new HealthMonitor(null, null, new[] { index }, null, new FixedProbes(), baseline).Sample();

        Assert.Equal(116, baseline!.Items);
        Assert.Equal(HealthStatus.Critical, sample.Status);
        Assert.Equal(109, sample.VectorStoreLoss);
        Assert.Null(BackupBaseline.For(backups, "faiss", new[] { folder.File("other.bin") })); // a set of other paths is no baseline
    }
}
