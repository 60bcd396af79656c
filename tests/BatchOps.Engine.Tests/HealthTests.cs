using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading.Tasks;
using BatchOps.Engine.Backup;
using BatchOps.Engine.Health;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;
using Xunit;
using BatchOps.Engine.Platform;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Tests;

public class HealthTests
{
    private const long GiB = 1024L * 1024 * 1024;

    private const string Meminfo = "MemTotal:       16000000 kB\nMemFree:         1000000 kB\nMemAvailable:    4000000 kB\nBuffers:          100000 kB\nCached:          2000000 kB\n";

    [Fact]
    public void Meminfo_gives_total_and_used_without_a_cgroup_limit()
    {
        MemoryReading reading = LinuxMemory.FromText(Meminfo, null)!;
        Assert.Equal(16_000_000L * 1024, reading.TotalBytes);
        Assert.Equal(12_000_000L * 1024, reading.UsedBytes);
        Assert.Equal(75.0, reading.Percent, 3);
        Assert.Equal("/proc/meminfo", reading.Source);
    }

    [Fact]
    public void A_cgroup_v2_limit_smaller_than_the_machine_is_what_memory_is_measured_against()
    {
        var cgroup = LinuxMemory.CgroupMemory.FromV2("2147483648\n", "1932735283\n", "anon 1000\ninactive_file 214748364\nactive_file 5\n");
        MemoryReading reading = LinuxMemory.FromText(Meminfo, cgroup)!;
        Assert.Equal("cgroup v2", reading.Source);
        Assert.Equal(2 * GiB, reading.TotalBytes);
        Assert.Equal(1932735283L - 214748364L, reading.UsedBytes); // inactive page cache counts as free
        Assert.InRange(reading.Percent, 79.9, 80.1);
    }

    [Fact]
    public void A_cgroup_without_a_limit_leaves_the_machine_figures()
    {
        Assert.Equal("/proc/meminfo", LinuxMemory.FromText(Meminfo, LinuxMemory.CgroupMemory.FromV2("max\n", "123\n", null))!.Source);
        Assert.Equal("/proc/meminfo", LinuxMemory.FromText(Meminfo, LinuxMemory.CgroupMemory.FromV1("9223372036854771712", "123", null))!.Source);
        MemoryReading v1 = LinuxMemory.FromText(Meminfo, LinuxMemory.CgroupMemory.FromV1("1073741824", "966367641", "total_inactive_file 107374182\n"))!;
        Assert.Equal("cgroup v1", v1.Source);
        Assert.InRange(v1.Percent, 79.9, 80.1);
    }

    [Fact]
    public void Old_kernels_without_MemAvailable_count_free_buffers_and_cache()
    {
        MemoryReading reading = LinuxMemory.FromText("MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 100 kB\nCached: 300 kB\n", null)!;
        Assert.Equal(500 * 1024, reading.UsedBytes);
        Assert.Null(LinuxMemory.FromText("nonsense", null));
    }

    [Fact]
    public void The_cgroup_is_found_from_proc_self_cgroup_under_a_root()
    {
        using var folder = new TempFolder();
        Write(folder, "proc/meminfo", Meminfo);
        Write(folder, "proc/self/cgroup", "0::/system.slice/importer.service\n");
        Write(folder, "sys/fs/cgroup/system.slice/importer.service/memory.max", "1073741824\n");
        Write(folder, "sys/fs/cgroup/system.slice/importer.service/memory.current", "1020054732\n");
        Write(folder, "sys/fs/cgroup/system.slice/importer.service/memory.stat", "inactive_file 0\n");
        MemoryReading reading = LinuxMemory.Read(folder.Path)!;
        Assert.Equal("cgroup v2", reading.Source);
        Assert.InRange(reading.Percent, 94.9, 95.1);

        // Inside a container the process sees its cgroup at the mount's root.
        Write(folder, "proc/self/cgroup", "12:cpu:/x\n4:memory:/docker/abc\n");
        Write(folder, "sys/fs/cgroup/memory/memory.limit_in_bytes", "2147483648\n");
        Write(folder, "sys/fs/cgroup/memory/memory.usage_in_bytes", "1073741824\n");
        Assert.Equal("cgroup v1", LinuxMemory.Read(folder.Path)!.Source);
    }

    [UnixFact]
    public void This_machine_gives_a_memory_reading()
    {
        MemoryReading? reading = SystemMemory.Read();
        Assert.NotNull(reading);
        Assert.InRange(reading!.Percent, 0.0, 100.0);
        Assert.True(reading.TotalBytes > 0);
    }

    [Theory]
    [InlineData(79.0, HealthStatus.Healthy, null)]
    [InlineData(80.5, HealthStatus.Degraded, "memory 80.5% > 80%")]
    [InlineData(91.0, HealthStatus.Critical, "memory 91% > 90% critical")]
    public void Memory_crosses_its_thresholds(double percent, HealthStatus expected, string? reason)
    {
        HealthVerdict verdict = HealthEvaluator.Evaluate(new HealthInputs { Memory = Memory(percent) }, new HealthThresholds());
        Assert.Equal(expected, verdict.Status);
        Assert.Equal(reason == null ? Array.Empty<string>() : new[] { reason }, verdict.Reasons);
    }

    [Theory]
    [InlineData(50.0, HealthStatus.Healthy)]
    [InlineData(8.0, HealthStatus.Degraded)]
    [InlineData(2.0, HealthStatus.Critical)]
    public void Disk_free_space_crosses_its_thresholds(double freePercent, HealthStatus expected)
    {
        var disk = new DiskReading("/data", (long)(freePercent * GiB), 100 * GiB);
        HealthVerdict verdict = HealthEvaluator.Evaluate(new HealthInputs { Disk = disk }, new HealthThresholds());
        Assert.Equal(expected, verdict.Status);
        if (expected != HealthStatus.Healthy)
        {
            Assert.StartsWith($"disk {freePercent}% free at /data", verdict.Reasons.Single());
        }
    }

    [Theory]
    [InlineData(50, 10, HealthStatus.Degraded, 20.0)] // at the threshold counts
    [InlineData(50, 9, HealthStatus.Healthy, 18.0)]
    [InlineData(50, 20, HealthStatus.Degraded, 40.0)]
    [InlineData(50, 25, HealthStatus.Critical, 50.0)]
    [InlineData(10, 10, HealthStatus.Healthy, null)] // too few items to judge
    public void The_error_rate_is_judged_over_enough_items(long items, long failed, HealthStatus expected, double? rate)
    {
        var activity = new JobActivity { WindowItems = items, WindowFailed = failed };
        HealthVerdict verdict = HealthEvaluator.Evaluate(new HealthInputs { Activity = activity }, new HealthThresholds());
        Assert.Equal(expected, verdict.Status);
        Assert.Equal(rate, verdict.ErrorRate);
        if (items == 50 && failed == 20)
        {
            Assert.Equal("error rate 40% over 50 items", verdict.Reasons.Single());
        }
    }

    [Theory]
    [InlineData(5, HealthStatus.Healthy)]
    [InlineData(12, HealthStatus.Degraded)]
    [InlineData(31, HealthStatus.Critical)]
    public void No_progress_while_items_remain_is_a_stall(int minutes, HealthStatus expected)
    {
        long now = 10_000_000_000;
        var activity = new JobActivity { ActiveRuns = 1, LastProgressMs = now - minutes * 60_000L };
        var job = new BatchJob { Name = "j", Total = 10, Pending = 5, Running = 1 };
        HealthVerdict verdict = HealthEvaluator.Evaluate(new HealthInputs { NowMs = now, Activity = activity, Job = job }, new HealthThresholds());
        Assert.Equal(expected, verdict.Status);
        if (expected == HealthStatus.Degraded)
        {
            Assert.Equal("no progress for 12 min", verdict.Reasons.Single());
        }
    }

    [Fact]
    public void A_drained_job_a_sleeping_run_or_no_run_is_not_a_stall()
    {
        long now = 10_000_000_000;
        var old = now - 60 * 60_000L;
        var busy = new BatchJob { Name = "j", Total = 10, Pending = 5 };
        Assert.Equal(HealthStatus.Healthy, HealthEvaluator.Evaluate(new HealthInputs { NowMs = now, Activity = new JobActivity { ActiveRuns = 1, LastProgressMs = old }, Job = new BatchJob { Name = "j", Total = 10, Succeeded = 10 } }, new HealthThresholds()).Status);
        Assert.Equal(HealthStatus.Healthy, HealthEvaluator.Evaluate(new HealthInputs { NowMs = now, Activity = new JobActivity { ActiveRuns = 0, LastProgressMs = old }, Job = busy }, new HealthThresholds()).Status);
        var suspended = new BatchCheckpoint { State = RunState.Running, Activity = RunActivity.Suspended };
        Assert.Equal(HealthStatus.Healthy, HealthEvaluator.Evaluate(new HealthInputs { NowMs = now, Activity = new JobActivity { ActiveRuns = 1, LastProgressMs = old }, Job = busy, Checkpoint = suspended }, new HealthThresholds()).Status);
    }

    [Fact]
    public void Rate_limits_and_paused_runs_are_degraded()
    {
        var checkpoint = new BatchCheckpoint { State = RunState.Running, Activity = RunActivity.MemoryPaused, ActivityReason = "memory 93% > 80% after 3 checks 5 s apart" };
        HealthVerdict verdict = HealthEvaluator.Evaluate(new HealthInputs { Activity = new JobActivity { RateLimitEvents = 3 }, Checkpoint = checkpoint }, new HealthThresholds());
        Assert.Equal(HealthStatus.Degraded, verdict.Status);
        Assert.Equal(new[] { "3 rate limit event(s) in the last 10 min", "run paused for memory: memory 93% > 80% after 3 checks 5 s apart" }, verdict.Reasons);
    }

    [Fact]
    public void Reasons_come_worst_first_and_the_status_is_the_worst()
    {
        HealthVerdict verdict = HealthEvaluator.Evaluate(
            new HealthInputs { Memory = Memory(85), Activity = new JobActivity { WindowItems = 100, WindowFailed = 60 } },
            new HealthThresholds());
        Assert.Equal(HealthStatus.Critical, verdict.Status);
        Assert.Equal(new[] { "error rate 60% over 100 items critical", "memory 85% > 80%" }, verdict.Reasons);
    }

    [Fact]
    public void A_vector_store_that_loses_items_or_shrinks_or_vanishes_is_critical()
    {
        var paths = new[] { "/v/index.bin" };
        var before = new VectorStoreReading(paths, 10_000, 1, 10_000, false);
        HealthVerdict lost = HealthEvaluator.Evaluate(new HealthInputs { VectorStore = new VectorStoreReading(paths, 8_800, 1, 8_800, false), VectorStoreBaseline = before }, new HealthThresholds());
        Assert.Equal(HealthStatus.Critical, lost.Status);
        Assert.Equal("vector store lost 1,200 vectors (10,000 -> 8,800)", lost.Reasons.Single());
        Assert.Equal(1_200, lost.VectorStoreLoss);

        var sized = new VectorStoreReading(paths, 1_000_000, 1, null, false);
        Assert.Equal(HealthStatus.Healthy, HealthEvaluator.Evaluate(new HealthInputs { VectorStore = new VectorStoreReading(paths, 950_000, 1, null, false), VectorStoreBaseline = sized }, new HealthThresholds()).Status);
        HealthVerdict shrank = HealthEvaluator.Evaluate(new HealthInputs { VectorStore = new VectorStoreReading(paths, 500_000, 1, null, false), VectorStoreBaseline = sized }, new HealthThresholds());
        Assert.Equal(HealthStatus.Critical, shrank.Status);
        Assert.StartsWith("vector store shrank by 50%", shrank.Reasons.Single());

        HealthVerdict gone = HealthEvaluator.Evaluate(new HealthInputs { VectorStore = new VectorStoreReading(paths, 0, 0, null, true) }, new HealthThresholds());
        Assert.Equal(HealthStatus.Critical, gone.Status);
        Assert.Equal("vector store missing: /v/index.bin", gone.Reasons.Single());

        HealthVerdict grew = HealthEvaluator.Evaluate(new HealthInputs { VectorStore = new VectorStoreReading(paths, 20_000, 1, 20_000, false), VectorStoreBaseline = before }, new HealthThresholds());
        Assert.Equal(HealthStatus.Healthy, grew.Status);
    }

    [Fact]
    public void Thresholds_that_cannot_work_are_refused()
    {
        var e = Assert.Throws<BatchOpsException>(() => new HealthThresholds { MemoryDegradedPercent = 95, MemoryCriticalPercent = 90 }.Validate());
        Assert.Equal(ErrorIds.HealthThresholdInvalid, e.ErrorId);
        Assert.Throws<BatchOpsException>(() => new HealthThresholds { StallDegraded = TimeSpan.Zero }.Validate());
        new HealthThresholds().Validate();
    }

    [Fact]
    public void The_monitor_reads_the_job_error_log_and_rate_limits_from_the_store()
    {
        using var folder = new TempFolder();
        using var store = Stores.Open(folder);
        BatchJob job = Stores.Seed(store, "evaluate", 40);
        var processor = DelegateProcessor.FromSync(item => int.Parse(item.Key.Substring(5)) % 4 == 0 ? ItemResult.Failure("HTTP 500", "ServerError") : ItemResult.Success());
        new BatchRunner(store, processor, new RunOptions { BatchSize = 10, ThrottleLimit = 2, RetryLimit = 0 }).RunAsync(job).GetAwaiter().GetResult();

        var monitor = new HealthMonitor(store, "evaluate", null, null, new FixedProbes { Memory = Memory(50) });
        HealthSample sample = monitor.Sample();

        Assert.Equal("evaluate", sample.Job);
        Assert.Equal(40, sample.ErrorRateItems);
        Assert.Equal(25.0, sample.ErrorRate);
        Assert.Equal(HealthStatus.Degraded, sample.Status);
        Assert.Equal("error rate 25% over 40 items", sample.Reasons.Single());
        Assert.Equal(10, sample.ErrorsByType["ServerError"]);
        Assert.Equal(5, sample.LatestErrors.Count);
        Assert.Equal(50.0, sample.MemoryPercent);
        Assert.NotNull(sample.Checkpoint);
        Assert.NotNull(sample.LastProgress);
        Assert.NotNull(sample.DiskFreePercent);
        Assert.Equal(0, sample.RateLimitEvents);
    }

    [UnixFact]
    public void The_monitor_shows_the_memory_of_the_run_s_process_when_it_runs_on_this_machine()
    {
        using var folder = new TempFolder();
        using var store = Stores.Open(folder);
        BatchJob job = Stores.Seed(store, "embed", 3);
        var probes = new FixedProbes();
        // A live process of this machine stands for the run's (a run whose process is gone shows as Abandoned).
        using var runProcess = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        try
        {
            long startedMs = new DateTimeOffset(runProcess.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds();
            store.StartRun(job.Id, new RunStart { Host = RunHost.Current.Machine, ProcessId = runProcess.Id, ProcessStartedMs = startedMs });
            Assert.Equal(runProcess.Id, new HealthMonitor(store, "embed", null, null, probes).Sample().ProcessId);

            probes.GoneProcess = runProcess.Id; // the probe cannot read it: the sample shows this process instead
            Assert.Equal(RunHost.Current.ProcessId, new HealthMonitor(store, "embed", null, null, probes).Sample().ProcessId);
        }
        finally
        {
            runProcess.Kill();
        }
    }

    [Fact]
    public void The_monitor_remembers_the_best_vector_store_reading_and_reports_a_drop()
    {
        using var folder = new TempFolder();
        string index = Path.Combine(folder.Path, "faiss_index.bin");
        BackupFiles.WriteFaissFlat(index, 4, 100);
        var monitor = new HealthMonitor(null, null, new[] { index }, null, new FixedProbes());

        HealthSample first = monitor.Sample();
        Assert.Equal(HealthStatus.Healthy, first.Status);
        Assert.Equal(50.0, first.DiskFreePercent); // measured at the vector store, as there is no job store
        BackupFiles.WriteFaissFlat(index, 4, 150);
        Assert.Equal(150, monitor.Sample().VectorStoreItems);
        BackupFiles.WriteFaissFlat(index, 4, 30);
        HealthSample dropped = monitor.Sample();
        Assert.Equal(HealthStatus.Critical, dropped.Status);
        Assert.Equal(120, dropped.VectorStoreLoss);
        Assert.True(dropped.DataLoss);
        Assert.Equal("vector store lost 120 vectors (150 -> 30)", dropped.Reasons.Single());
        Assert.True(monitor.Sample().DataLoss); // stays critical until restored
    }

    [Fact]
    public void Auto_restore_brings_back_the_newest_valid_set_and_logs_it()
    {
        using var folder = new TempFolder();
        string index = Path.Combine(folder.Path, "faiss_index.bin");
        string backups = Path.Combine(folder.Path, "backups");
        BackupFiles.WriteFaissFlat(index, 4, 100);
        new VectorStoreBackupWriter().Create(new BackupRequest { Paths = new[] { index }, Destination = backups, Name = "docs" });
        var monitor = new HealthMonitor(null, null, new[] { index }, null, new FixedProbes());
        monitor.Sample();
        BackupFiles.WriteFaissFlat(index, 4, 10);
        HealthSample lost = monitor.Sample();
        Assert.True(lost.DataLoss);

        string action = new DataLossRecovery(backups, "docs", new[] { index }).Recover(lost);
        monitor.ResetBaseline();

        Assert.StartsWith("Restored backup set 'docs-", action);
        Assert.Contains("(100 items) after: vector store lost 90 vectors", action);
        Assert.Equal(100, FaissIndexHeader.TryReadVectorCount(index));
        Assert.Contains("Restored backup set", File.ReadAllText(Path.Combine(backups, DataLossRecovery.LogFileName)));
        Assert.Equal(HealthStatus.Healthy, monitor.Sample().Status);
    }

    [Fact]
    public void A_watch_with_auto_restore_first_finishes_a_restore_that_was_interrupted()
    {
        using var folder = new TempFolder();
        string index = Path.Combine(folder.Path, "faiss_index.bin");
        string backups = Path.Combine(folder.Path, "backups");
        BackupFiles.WriteFaissFlat(index, 4, 100);
        VectorStoreBackup backup = new VectorStoreBackupWriter().Create(new BackupRequest { Paths = new[] { index }, Destination = backups }).Backup;
        BackupFiles.WriteFaissFlat(index, 4, 60);
        int steps = 0;
        var restorer = new VectorStoreRestorer { OnStep = _ => { if (++steps == 3) { throw new IOException("killed"); } } };
        Assert.Throws<IOException>(() => restorer.Restore(backup, null));
        Assert.True(File.Exists(RestoreJournal.PathIn(folder.Path)));

        var watch = new HealthWatch(new HealthMonitor(null, null, new[] { index }, null, new FixedProbes()), new DataLossRecovery(backups, null, new[] { index }));
        (HealthSample sample, BatchOpsException? error) = watch.Next();

        Assert.Null(error);
        Assert.StartsWith("Finished an interrupted restore", sample.Action);
        Assert.False(File.Exists(RestoreJournal.PathIn(folder.Path)));
        Assert.Contains(FaissIndexHeader.TryReadVectorCount(index), new long?[] { 60, 100 }); // old or new, whole
        Assert.Equal(FaissIndexHeader.TryReadVectorCount(index), sample.VectorStoreItems);
    }

    [Fact]
    public void Auto_restore_refuses_a_set_of_other_paths_and_changes_nothing()
    {
        using var folder = new TempFolder();
        string index = Path.Combine(folder.Path, "faiss_index.bin");
        string other = Path.Combine(folder.Path, "other.bin");
        string backups = Path.Combine(folder.Path, "backups");
        BackupFiles.WriteFaissFlat(other, 4, 100);
        new VectorStoreBackupWriter().Create(new BackupRequest { Paths = new[] { other }, Destination = backups });
        BackupFiles.WriteFaissFlat(index, 4, 5);

        var e = Assert.Throws<BatchOpsException>(() => new DataLossRecovery(backups, null, new[] { index }).Recover(new HealthSample()));
        Assert.Equal(ErrorIds.AutoRestoreFailed, e.ErrorId);
        Assert.Contains("not the watched", e.Message);
        Assert.Equal(5, FaissIndexHeader.TryReadVectorCount(index));

        var none = Assert.Throws<BatchOpsException>(() => new DataLossRecovery(Path.Combine(folder.Path, "empty"), null, new[] { index }).Recover(new HealthSample()));
        Assert.Equal(ErrorIds.AutoRestoreFailed, none.ErrorId);
    }

    [Fact]
    public void Rate_limits_are_recognised_in_exceptions_and_texts()
    {
        Assert.True(RateLimitSignal.IsRateLimit(new HttpRequestException("x", null, HttpStatusCode.TooManyRequests), out TimeSpan? none));
        Assert.Null(none);
        Assert.False(RateLimitSignal.IsRateLimit(new HttpRequestException("Response status code does not indicate success: 500", null, HttpStatusCode.InternalServerError), out _));

        var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(30));
        Assert.True(RateLimitSignal.IsRateLimit(new InvalidOperationException("outer", new ResponseCarrier(response)), out TimeSpan? wait));
        Assert.Equal(TimeSpan.FromSeconds(30), wait);

        Assert.True(RateLimitSignal.IsRateLimitText("Response status code does not indicate success: 429 (Too Many Requests).", out _));
        Assert.True(RateLimitSignal.IsRateLimitText("Rate limit reached. Retry-After: 12", out TimeSpan? fromText));
        Assert.Equal(TimeSpan.FromSeconds(12), fromText);
        Assert.True(RateLimitSignal.IsRateLimitText("HTTP 429", out _));
        Assert.False(RateLimitSignal.IsRateLimitText("processed 429 items", out _));
        Assert.False(RateLimitSignal.IsRateLimitText("The rate limiter refused the attempt.", out _));
        Assert.False(RateLimitSignal.IsRateLimitText("HTTP 503: service unavailable", out _));
    }

    [Theory, SqliteStore, PostgresStore]
    public void Recent_activity_counts_rate_limit_notes_without_touching_attempts(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "j", 1);
        long run = store.StartRun(job.Id, new RunStart());
        var commit = new RunCommit { JobId = job.Id, RunId = run };
        commit.Notes.Add(new ErrorNote { Key = "item-00000", Attempt = 1, ErrorType = RateLimitSignal.ErrorType, Message = "429" });
        store.Commit(commit);

        JobActivity activity = store.GetRecentActivity(job, store.NowMs() - 60_000, 20);
        Assert.Equal(1, activity.RateLimitEvents);
        Assert.Equal(1, activity.ActiveRuns);
        Assert.Equal(0, store.GetItems(job, new ItemQuery()).Single().Attempts);
    }

    private static MemoryReading Memory(double percent) => new MemoryReading(100 * GiB, (long)(percent * GiB), "test");

    private static void Write(TempFolder folder, string relative, string text)
    {
        string path = Path.Combine(folder.Path, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private sealed class ResponseCarrier : Exception
    {
        public ResponseCarrier(HttpResponseMessage response)
            : base("Response status code does not indicate success.")
        {
            Response = response;
        }

        public HttpResponseMessage Response { get; }
    }
}

/// <summary>Probes with readings the test sets.</summary>
internal sealed class FixedProbes : IHealthProbes
{
    public MemoryReading? Memory { get; set; }

    public MemoryReading? ReadMemory() => Memory;

    /// <summary>A process id whose reading fails, as for a process that has exited.</summary>
    public int? GoneProcess { get; set; }

    public ProcessMemoryReading? ReadProcess(int? processId) =>
        processId != null && processId == GoneProcess ? null : new ProcessMemoryReading(100L << 20, 200L << 20);

    public DiskReading? ReadDisk(string path) => new DiskReading(path, 50L << 30, 100L << 30);

    public VectorStoreReading ReadVectorStore(IReadOnlyList<string> paths) => VectorStoreMeter.Measure(paths);
}
