using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using BatchOps.Engine.Backup;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;
using Microsoft.Extensions.Time.Testing;
using Xunit;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Tests;

/// <summary>What a run leaves beside its checkpoints: a results file per committed batch, and backups by time.</summary>
public class RunResultFilesTests
{
    [Fact]
    public async Task A_run_with_a_result_path_writes_each_batch_s_file_when_it_is_committed()
    {
        using var folder = new TempFolder();
        using var store = Stores.Open(folder);
        BatchJob job = Stores.Seed(store, "evaluate", 7);
        RunOptions options = RunnerTests.Fast(batchSize: 3, throttle: 2);
        options.ResultPath = Path.Combine(folder.Path, "results", "{Job}_batch_{Batch:0000}.json");
        var events = new EventLog();

        BatchRunSummary summary = await new BatchRunner(store, DelegateProcessor.FromSync(item => ItemResult.Success("{\"Score\":" + item.Key.Length + "}")), options, events.Writer).RunAsync(job);

        string[] files = Directory.GetFiles(folder.File("results")).Select(Path.GetFileName).OrderBy(f => f, StringComparer.Ordinal).ToArray()!;
        Assert.Equal(new[] { "evaluate_batch_0001.json", "evaluate_batch_0002.json", "evaluate_batch_0003.json" }, files);
        var keys = files.SelectMany(f => JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.File("results"), f))).RootElement.EnumerateArray()
            .Select(e => (e.GetProperty("Key").GetString(), e.GetProperty("Run").GetInt64(), e.GetProperty("Score").GetInt32()))).ToList();
        Assert.Equal(7, keys.Count);
        Assert.Equal(7, keys.Select(k => k.Item1).Distinct().Count());
        Assert.All(keys, k => Assert.Equal((summary.RunId, 10), (k.Item2, k.Item3)));
        Assert.Equal(3, events.Drain().OfType<RunNoticeEvent>().Count(e => e.Kind == RunNoticeKind.ResultFileWritten));
        Assert.Empty(Directory.GetFiles(folder.File("results"), "*.tmp"));
    }

    [Theory]
    [InlineData("{Job}_batch_{Batch:0000}.json", 1)]
    [InlineData("{Job}_run{Run}_batch_{Batch:0000}.json", 0)]
    public async Task A_second_run_replacing_the_first_run_s_files_says_so_once_unless_the_template_has_Run(string template, int warnings)
    {
        using var folder = new TempFolder();
        using var store = Stores.Open(folder);
        BatchJob job = Stores.Seed(store, "evaluate", 4);
        RunOptions options = RunnerTests.Fast(batchSize: 2, throttle: 1);
        options.MaxItems = 2;
        options.ResultPath = Path.Combine(folder.Path, "results", template);
        var processor = DelegateProcessor.FromSync(_ => ItemResult.Success("done"));
        await new BatchRunner(store, processor, options).RunAsync(job);

        var events = new EventLog();
        await new BatchRunner(store, processor, options, events.Writer).RunAsync(store.GetJob("evaluate"));

        Assert.Equal(warnings, events.Drain().OfType<RunWarningEvent>().Count(e => e.Message.Contains("existed before this run")));
    }

    [Fact]
    public async Task A_results_file_that_cannot_be_written_is_a_warning_and_the_run_goes_on()
    {
        using var folder = new TempFolder();
        using var store = Stores.Open(folder);
        BatchJob job = Stores.Seed(store, "evaluate", 4);
        File.WriteAllText(folder.File("blocked"), "a file where the results folder should be");
        RunOptions options = RunnerTests.Fast(batchSize: 2);
        options.ResultPath = Path.Combine(folder.Path, "blocked", "{Batch}.csv");
        var events = new EventLog();

        BatchRunSummary summary = await new BatchRunner(store, Processors.Succeed(), options, events.Writer).RunAsync(job);

        Assert.Equal((RunState.Completed, 4L), (summary.State, summary.Succeeded));
        // The warning names the batch whose file is missing; the module adds how to write it later (Export-BatchResult).
        Assert.Equal(
            new[] { ("evaluate", 1L), ("evaluate", 2L) },
            events.Drain().OfType<RunWarningEvent>().Where(e => e.Message.Contains("can be written later", StringComparison.Ordinal))
                .Select(e => (e.Unwritten!.Job, e.Unwritten.Batch)).OrderBy(b => b.Batch).ToArray());
    }

    [Theory]
    [InlineData("{Job}.json", "ResultPathInvalid")]
    [InlineData("{Batch}.txt", "ResultFormatUnknown")]
    public void A_bad_result_path_is_refused_before_the_run_starts(string name, string errorId)
    {
        var options = new RunOptions { ResultPath = Path.Combine(Path.GetTempPath(), name) };

        Assert.Equal(errorId, Assert.Throws<BatchOpsException>(options.Validate).ErrorId);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task BackupInterval_backs_up_at_the_next_quiet_point_once_the_time_has_passed(bool fiveHoursPass)
    {
        using var folder = new TempFolder();
        using var store = Stores.Open(folder);
        BatchJob job = Stores.Seed(store, "embed", 40);
        string index = folder.File("faiss_index.bin");
        BackupFiles.WriteFaissFlat(index, 2, 0);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        int done = 0;
        var gate = new object();
        RunOptions options = RunnerTests.Fast(batchSize: 2, throttle: 1);
        options.Backup = new BackupRequest { Paths = new[] { index }, Destination = folder.File("backups"), Name = "docs" };
        options.BackupInterval = TimeSpan.FromHours(4);

        // The clock moves five hours while item 6 is processed (or never), and at no other time.
        BatchRunSummary summary = await new BatchRunner(store, DelegateProcessor.FromSync(item =>
        {
            lock (gate)
            {
                BackupFiles.WriteFaissFlat(index, 2, ++done);
                if (done == 6 && fiveHoursPass)
                {
                    time.Advance(TimeSpan.FromHours(5));
                }
            }

            return ItemResult.Success();
        }), options, time).RunAsync(job);

        Assert.Equal(40, summary.Succeeded);
        var sets = BackupCatalog.List(folder.File("backups")).Reverse().ToList();
        if (fiveHoursPass)
        {
            // At the first quiet point after item 6: what was finished by then (the items claimed ahead finish first).
            Assert.Equal("RunInterval", sets[0].Reason);
            Assert.InRange(sets[0].ItemCount!.Value, 6, 40);
        }
        else
        {
            Assert.Equal(new[] { "RunEnd" }, sets.Select(s => s.Reason)); // the work since the start, once drained
        }

        Assert.True(sets.Count <= 2);
        Assert.Equal(40, sets[sets.Count - 1].ItemCount);
        Assert.Contains("\"BackupIntervalSeconds\":14400", store.GetRuns(store.GetJob("embed"), new RunQuery()).Single().Options);
    }

    [Fact]
    public void BackupInterval_needs_a_backup_and_a_second_at_least()
    {
        var without = new RunOptions { BackupInterval = TimeSpan.FromHours(1) };
        var tooShort = new RunOptions { BackupInterval = TimeSpan.FromMilliseconds(10), Backup = new BackupRequest { Paths = new[] { "/x" }, Destination = "/y" } };

        Assert.Equal(ErrorIds.RunBackupInvalid, Assert.Throws<BatchOpsException>(without.Validate).ErrorId);
        Assert.Contains("at least 1 second", Assert.Throws<BatchOpsException>(tooShort.Validate).Message);
    }
}
