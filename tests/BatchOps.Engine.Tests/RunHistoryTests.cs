using System.Collections.Generic;
using System;
using System.Linq;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;
using Xunit;
using BatchOps.Engine.Platform;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Tests;

public class RunHistoryTests
{
    [Theory, SqliteStore, PostgresStore]
    public void A_job_s_runs_are_listed_newest_first_with_what_each_did(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "evaluate", 10);
        BatchRunSummary first = new BatchRunner(store, DelegateProcessor.FromSync(item => item.Key.EndsWith("3", StringComparison.Ordinal) ? ItemResult.Failure("down") : ItemResult.Success()), new RunOptions { BatchSize = 2, RetryLimit = 0, MaxItems = 6 }).RunAsync(job).GetAwaiter().GetResult();
        BatchRunSummary second = new BatchRunner(store, DelegateProcessor.FromSync(_ => ItemResult.Success()), new RunOptions { BatchSize = 2 }).RunAsync(store.GetJob("evaluate")).GetAwaiter().GetResult();

        var runs = store.GetRuns(store.GetJob("evaluate"), new RunQuery());

        Assert.Equal(new[] { second.RunId, first.RunId }, runs.Select(r => r.RunId));
        BatchRun older = runs[1];
        Assert.Equal((RunState.Completed, StopReason.MaxItemsReached), (older.State, older.StopReason));
        Assert.Equal((6L, 5L, 1L, 3L), (older.Claimed, older.Succeeded, older.Failed, older.Batches));
        Assert.Contains("\"BatchSize\":2", older.Options);
        Assert.Equal(4, runs[0].Succeeded);
        Assert.Equal(RunHost.Current.ProcessId, runs[0].ProcessId);
        Assert.Equal(new[] { first.RunId }, store.GetRuns(store.GetJob("evaluate"), new RunQuery { Ids = new[] { first.RunId } }).Select(r => r.RunId));
        Assert.Single(store.GetRuns(store.GetJob("evaluate"), new RunQuery { First = 1 }));
        Assert.Empty(store.GetRuns(store.GetJob("evaluate"), new RunQuery { State = RunState.Failed }));
        Assert.Empty(store.GetRuns(store.GetJob("evaluate"), new RunQuery { Since = DateTimeOffset.UtcNow.AddHours(1) }));
    }

    [Theory, SqliteStore, PostgresStore]
    public void A_run_whose_process_is_gone_is_listed_as_abandoned(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "killed", 2);
        long runId = store.StartRun(job.Id, new RunStart { Host = RunHost.Current.Machine, ProcessId = int.MaxValue - 7, ProcessStartedMs = 1 });

        BatchRun run = store.GetRuns(job, new RunQuery { State = RunState.Abandoned }).Single();

        Assert.Equal(runId, run.RunId);
        Assert.Empty(store.GetRuns(job, new RunQuery { State = RunState.Running }));
    }

    [Theory, SqliteStore, PostgresStore]
    public void Removing_runs_deletes_their_records_batches_and_errors_never_items_nor_a_run_in_progress(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "tidy", 6);
        BatchRunSummary failing = new BatchRunner(store, DelegateProcessor.FromSync(_ => ItemResult.Failure("down")), new RunOptions { BatchSize = 2, RetryLimit = 0, MaxItems = 2 }).RunAsync(job).GetAwaiter().GetResult();
        BatchRunSummary good = new BatchRunner(store, DelegateProcessor.FromSync(_ => ItemResult.Success("ok")), new RunOptions { BatchSize = 2 }).RunAsync(store.GetJob("tidy")).GetAwaiter().GetResult();
        long live = store.StartRun(job.Id, new RunStart { Host = RunHost.Current.Machine, ProcessId = RunHost.Current.ProcessId, ProcessStartedMs = RunHost.Current.ProcessStartedMs });

        IReadOnlyList<long> removed = store.RemoveRuns(store.GetJob("tidy"), new[] { failing.RunId, good.RunId, live });

        Assert.Equal(new[] { failing.RunId, good.RunId }, removed);
        Assert.Equal(new[] { live }, store.GetRuns(store.GetJob("tidy"), new RunQuery()).Select(r => r.RunId));
        Assert.Empty(store.GetErrors(store.GetJob("tidy"), 10));
        BatchJob after = store.GetJob("tidy");
        Assert.Equal((6L, 4L, 2L), (after.Total, after.Succeeded, after.Failed));
        Assert.All(store.GetItems(after, new ItemQuery { Status = ItemStatus.Succeeded }), i => Assert.Equal("ok", i.Result));
        Stores.AssertCountersMatchItems(store, "tidy");
    }

    [Theory, SqliteStore, PostgresStore]
    public void Each_finished_item_records_the_run_and_the_batch_that_finished_it(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "numbered", 6);
        BatchRunSummary summary = new BatchRunner(store, DelegateProcessor.FromSync(_ => ItemResult.Success()), new RunOptions { BatchSize = 2, ThrottleLimit = 1 }).RunAsync(job).GetAwaiter().GetResult();

        var items = store.GetItems(store.GetJob("numbered"), new ItemQuery());

        Assert.All(items, i => Assert.Equal(summary.RunId, i.RunId));
        Assert.Equal(new long?[] { 1, 1, 2, 2, 3, 3 }, items.Select(i => i.Batch).ToArray());
        store.ResetItems(store.GetJob("numbered"), ItemStatus.Succeeded);
        Assert.All(store.GetItems(store.GetJob("numbered"), new ItemQuery()), i => Assert.Null(i.Batch));
    }

    [Theory, SqliteStore, PostgresStore]
    public void KeepRuns_bounds_the_history_to_the_newest_runs_after_each_run(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "hourly", 8);
        var ids = new List<long>();
        for (int i = 0; i < 4; i++)
        {
            ids.Add(new BatchRunner(store, DelegateProcessor.FromSync(_ => ItemResult.Success()), new RunOptions { MaxItems = 2, KeepRuns = 2 }).RunAsync(store.GetJob("hourly")).GetAwaiter().GetResult().RunId);
        }

        Assert.Equal(new[] { ids[3], ids[2] }, store.GetRuns(store.GetJob("hourly"), new RunQuery()).Select(r => r.RunId));
        Assert.Equal(8, store.GetJob("hourly").Succeeded);
        var e = Assert.Throws<BatchOpsException>(() => new RunOptions { KeepRuns = 0 }.Validate());
        Assert.Equal(ErrorIds.KeepRunsInvalid, e.ErrorId);
    }
}
