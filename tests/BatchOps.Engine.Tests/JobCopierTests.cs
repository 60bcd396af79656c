using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using BatchOps.Engine.Errors;
using BatchOps.Engine.Platform;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;
using Xunit;

namespace BatchOps.Engine.Tests;

/// <summary>
/// Copy-BatchJob's engine: a job moves between stores with every item's state and its error log, and goes on there.
/// Each theory runs with one end on each backend and the other on a SQLite file.
/// </summary>
public class JobCopierTests
{
    [Theory, SqliteStore, PostgresStore]
    public async Task A_copy_keeps_every_item_state_and_the_error_log(Backend destination)
    {
        using var from = TestStore.Create(Backend.Sqlite);
        using var to = TestStore.Create(destination);
        await SeedMixedJob(from.Store, "embed");

        BatchJob copied = Copy(from.Store, "embed", to.Store);

        BatchJob source = from.Store.GetJob("embed");
        Assert.Equal(source.Total, copied.Total);
        Assert.Equal(source.Succeeded, copied.Succeeded);
        Assert.Equal(source.Failed, copied.Failed);
        Assert.Equal(source.Pending + source.Running, copied.Pending); // the held items come as pending
        Assert.Equal(0, copied.Running);
        Assert.Equal(to.Store.Location, copied.Store);
        Stores.AssertCountersMatchItems(to.Store, "embed");
        AssertSameItems(from.Store, to.Store, "embed");
        AssertSameErrorLog(from.Store, to.Store, "embed");
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task A_job_run_on_either_backend_copies_to_a_file_with_every_item_state(Backend source)
    {
        using var from = TestStore.Create(source);
        using var to = TestStore.Create(Backend.Sqlite);
        await SeedMixedJob(from.Store, "embed");

        BatchJob copied = Copy(from.Store, "embed", to.Store);

        Assert.Equal(from.Store.GetJob("embed").Total, copied.Total);
        Stores.AssertCountersMatchItems(to.Store, "embed");
        AssertSameItems(from.Store, to.Store, "embed");
        AssertSameErrorLog(from.Store, to.Store, "embed");
    }

    [Theory, SqliteStore, PostgresStore]
    public void A_copy_back_from_either_backend_keeps_every_item_state(Backend source)
    {
        using var from = TestStore.Create(source);
        using var to = TestStore.Create(Backend.Sqlite);
        BatchJob job = from.Store.GetOrCreateJob("evaluate");
        long now = from.Store.NowMs();
        from.Store.ImportItems(
            job,
            new[]
            {
                new ItemState { Key = "a", Payload = "{\"n\":1}", Status = ItemStatus.Succeeded, Attempts = 1, Result = "ok a", CreatedMs = now - 5000, StartedMs = now - 4000, FinishedMs = now - 3000, DurationMs = 1000 },
                new ItemState { Key = "b", Payload = "{\"n\":2}", Status = ItemStatus.Failed, Attempts = 3, LastError = "timed out", CreatedMs = now - 5000, StartedMs = now - 2000, FinishedMs = now - 1000, DurationMs = 1000 },
                new ItemState { Key = "c", Payload = null, Status = ItemStatus.Pending, Attempts = 1, LastError = "rate limited", CreatedMs = now - 5000 },
            },
            new[] { new ErrorEntry { Key = "b", Attempt = 3, Time = Times.Local(now - 1000), ErrorType = "Timeout", Message = "timed out", Detail = "at line 3" } });

        BatchJob copied = Copy(from.Store, "evaluate", to.Store);

        Assert.Equal((3L, 1L, 1L, 1L), (copied.Total, copied.Pending, copied.Succeeded, copied.Failed));
        Stores.AssertCountersMatchItems(to.Store, "evaluate");
        AssertSameItems(from.Store, to.Store, "evaluate");
        AssertSameErrorLog(from.Store, to.Store, "evaluate");
    }

    [Theory, SqliteStore, PostgresStore]
    public void An_existing_job_in_the_destination_is_refused_and_nothing_is_written(Backend destination)
    {
        using var from = TestStore.Create(Backend.Sqlite);
        using var to = TestStore.Create(destination);
        Stores.Seed(from.Store, "embed", 10);
        Stores.Seed(to.Store, "EMBED", 3, "other-");

        var e = Assert.Throws<BatchOpsException>(() => JobCopier.Plan(from.Store, "embed", to.Store, null, force: false));
        Assert.Equal(ErrorIds.JobExists, e.ErrorId);
        Assert.Contains("'EMBED' (3 items)", e.Message);
        Assert.Contains("Nothing was copied", e.Message);

        // The same refusal when the job appears between the plan and the copy.
        JobCopyPlan plan = JobCopier.Plan(from.Store, "embed", to.Store, "later", force: false);
        Stores.Seed(to.Store, "later", 2, "x-");
        e = Assert.Throws<BatchOpsException>(() => new JobCopier().Copy(from.Store, plan, to.Store));
        Assert.Equal(ErrorIds.JobExists, e.ErrorId);
        Assert.Equal(3, to.Store.GetJob("embed").Total);
        Assert.Equal(2, to.Store.GetJob("later").Total);
    }

    [Theory, SqliteStore, PostgresStore]
    public void Force_replaces_the_destination_job(Backend destination)
    {
        using var from = TestStore.Create(Backend.Sqlite);
        using var to = TestStore.Create(destination);
        Stores.Seed(from.Store, "embed", 10);
        Stores.Seed(to.Store, "embed", 3, "other-");

        var notes = new List<string>();
        JobCopyPlan plan = JobCopier.Plan(from.Store, "embed", to.Store, null, force: true);
        BatchJob copied = new JobCopier { OnNote = notes.Add }.Copy(from.Store, plan, to.Store);

        Assert.Equal(10, copied.Total);
        Assert.DoesNotContain(to.Store.GetItems(copied, new ItemQuery()), i => i.Key.StartsWith("other-", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.Contains("Removed the job 'embed' (3 items)"));
        Assert.Contains("replacing the job there (3 items)", plan.Describe(to.Store.Location));
    }

    [Theory, SqliteStore, PostgresStore]
    public void Items_go_in_chunks_with_progress_and_a_failed_copy_leaves_no_partial_job(Backend destination)
    {
        using var from = TestStore.Create(Backend.Sqlite);
        using var to = TestStore.Create(destination);
        Stores.Seed(from.Store, "embed", 50);

        var seen = new List<JobCopyProgress>();
        BatchJob copied = new JobCopier { ChunkSize = 7, OnProgress = seen.Add }.Copy(from.Store, JobCopier.Plan(from.Store, "embed", to.Store, "copy", false), to.Store);

        Assert.Equal(50, copied.Total);
        Assert.Equal(new long[] { 7, 14, 21, 28, 35, 42, 49, 50 }, seen.Select(p => p.Items));
        Assert.All(seen, p => Assert.Equal(50, p.Total));

        // Stopped after its first chunk (Ctrl+C): the destination keeps no half a job.
        var stopper = new JobCopier { ChunkSize = 7, OnProgress = p => throw new OperationCanceledException("stopped") };
        Assert.Throws<OperationCanceledException>(() => stopper.Copy(from.Store, JobCopier.Plan(from.Store, "embed", to.Store, "stopped", false), to.Store));
        Assert.Null(to.Store.FindJob("stopped"));
    }

    [Theory, SqliteStore, PostgresStore]
    public void A_job_a_live_run_is_processing_is_refused_unless_forced(Backend source)
    {
        using var from = TestStore.Create(source);
        using var to = TestStore.Create(Backend.Sqlite);
        BatchJob job = Stores.Seed(from.Store, "embed", 10);
        Process self = Process.GetCurrentProcess();
        long run = from.Store.StartRun(job.Id, new RunStart { Host = RunHost.Current.Machine, ProcessId = self.Id, ProcessStartedMs = new DateTimeOffset(self.StartTime).ToUnixTimeMilliseconds() });
        from.Store.Claim(job.Id, run, 4, from.Store.NowMs() + 60_000, 3);

        var e = Assert.Throws<BatchOpsException>(() => JobCopier.Plan(from.Store, "embed", to.Store, null, force: false));
        Assert.Equal(ErrorIds.JobBusy, e.ErrorId);
        Assert.Contains("Cannot copy job 'embed' while it is running", e.Message);
        Assert.Null(to.Store.FindJob("embed"));

        var notes = new List<string>();
        JobCopyPlan plan = JobCopier.Plan(from.Store, "embed", to.Store, null, force: true);
        BatchJob copied = new JobCopier { OnNote = notes.Add }.Copy(from.Store, plan, to.Store);

        Assert.Single(plan.LiveRuns);
        Assert.Equal((10L, 10L), (copied.Total, copied.Pending));
        Assert.Equal(4, to.Store.GetItems(copied, new ItemQuery()).Count(i => i.Attempts == 1));
        Assert.Contains(notes, n => n.Contains($"run {run} on"));
        Assert.Contains(notes, n => n.Contains("4 item(s) that a run held in the source (Running) were copied as Pending with their attempts"));
        Assert.Equal(4, from.Store.GetJob("embed").Running); // the source is only read
    }

    [Theory, SqliteStore, PostgresStore]
    public void A_job_is_never_copied_onto_itself_but_may_be_copied_beside_itself(Backend backend)
    {
        using var test = TestStore.Create(backend);
        Stores.Seed(test.Store, "embed", 5);

        var e = Assert.Throws<BatchOpsException>(() => JobCopier.Plan(test.Store, "embed", test.Open(), "Embed", force: true));
        Assert.Equal(ErrorIds.JobCopyToItself, e.ErrorId);

        BatchJob copied = new JobCopier().Copy(test.Store, JobCopier.Plan(test.Store, "embed", test.Store, "embed-2", false), test.Store);
        Assert.Equal(5, copied.Total);
        Assert.Equal(5, test.Store.GetJob("embed").Total);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task A_copied_job_goes_on_in_the_destination_with_only_its_unfinished_items(Backend destination)
    {
        using var from = TestStore.Create(Backend.Sqlite);
        using var to = TestStore.Create(destination);
        await SeedMixedJob(from.Store, "embed");
        BatchJob copied = Copy(from.Store, "embed", to.Store);
        var unfinished = from.Store.GetItems(from.Store.GetJob("embed"), new ItemQuery())
            .Where(i => i.Status == ItemStatus.Pending || i.Status == ItemStatus.Running).Select(i => i.Key).ToHashSet();

        var processed = new ConcurrentBag<string>();
        await new BatchRunner(to.Store, DelegateProcessor.FromSync(item => { processed.Add(item.Key); return ItemResult.Success(); }), RunnerTests.Fast()).RunAsync(copied);

        Assert.Equal(unfinished.OrderBy(k => k), processed.OrderBy(k => k));
        BatchJob after = to.Store.GetJob("embed");
        Assert.Equal(0, after.Pending);
        Assert.Equal(from.Store.GetJob("embed").Failed, after.Failed); // failed items stay failed until reset
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    private static BatchJob Copy(IJobStore source, string job, IJobStore destination) =>
        new JobCopier().Copy(source, JobCopier.Plan(source, job, destination, null, force: false), destination);

    /// <summary>
    /// A job in every state: succeeded items with results, failed items after retries (error log lines), items
    /// added after the run (pending), and items a dead run held (running, with an attempt).
    /// </summary>
    private static async Task SeedMixedJob(IJobStore store, string name)
    {
        BatchJob job = Stores.Seed(store, name, 30);
        var processor = DelegateProcessor.FromSync(item =>
            item.Key.EndsWith('3') || item.Key.EndsWith('7') ? ItemResult.Failure("bad " + item.Key, "Bad", detail: "at " + item.Key) : ItemResult.Success("ok " + item.Key));
        var options = RunnerTests.Fast();
        options.RetryLimit = 1;
        await new BatchRunner(store, processor, options).RunAsync(job);
        store.Enqueue(job, Enumerable.Range(0, 6).Select(i => new NewItem("late-" + i, "{\"late\":" + i + "}")).ToList());

        int gone;
        using (var exited = Process.Start(new ProcessStartInfo("dotnet", "--version") { UseShellExecute = false, RedirectStandardOutput = true })!)
        {
            exited.StandardOutput.ReadToEnd();
            exited.WaitForExit();
            gone = exited.Id;
        }

        long run = store.StartRun(job.Id, new RunStart { Host = RunHost.Current.Machine, ProcessId = gone });
        store.Claim(job.Id, run, 2, store.NowMs() + 60_000, 3);
        BatchJob seeded = store.GetJob(name);
        Assert.True(seeded.Succeeded > 0 && seeded.Failed > 0 && seeded.Pending > 0 && seeded.Running == 2, "the source has every state");
    }

    private static void AssertSameItems(IJobStore source, IJobStore destination, string job)
    {
        List<BatchItem> before = ItemPages.Read(source, source.GetJob(job), new ItemQuery()).ToList();
        Dictionary<string, BatchItem> after = ItemPages.Read(destination, destination.GetJob(job), new ItemQuery()).ToDictionary(i => i.Key);
        Assert.Equal(before.Count, after.Count);
        foreach (BatchItem was in before)
        {
            BatchItem now = after[was.Key];
            bool held = was.Status == ItemStatus.Running;
            Assert.Equal(held ? ItemStatus.Pending : was.Status, now.Status);
            Assert.Equal(was.Attempts, now.Attempts);
            Assert.Equal(was.Payload, now.Payload);
            Assert.Equal(was.Result, now.Result);
            Assert.Equal(was.LastError, now.LastError);
            Assert.Equal(was.Created, now.Created);
            Assert.Equal(held ? null : was.Started, now.Started);
            Assert.Equal(was.Finished, now.Finished);
            Assert.Equal(was.Duration, now.Duration);
            Assert.Null(now.RunId); // the source's runs are not the destination's
            Assert.Null(now.Batch);
        }
    }

    private static void AssertSameErrorLog(IJobStore source, IJobStore destination, string job)
    {
        IReadOnlyList<ErrorEntry> before = source.GetErrors(source.GetJob(job), 1000);
        IReadOnlyList<ErrorEntry> after = destination.GetErrors(destination.GetJob(job), 1000);
        Assert.NotEmpty(before);
        Assert.Equal(
            before.Select(e => (e.Key, e.Attempt, e.Time, e.ErrorType, e.Message, e.Detail)),
            after.Select(e => (e.Key, e.Attempt, e.Time, e.ErrorType, e.Message, e.Detail)));
        Assert.All(after, e => Assert.Equal(0, e.RunId));
    }
}
