using System;
using System.Threading.Tasks;
using BatchOps.Engine.Running;
using Xunit;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Tests;

public class RunFailureTests
{
    [Fact]
    public void A_named_error_keeps_its_id_category_and_message()
    {
        var error = new BatchOpsException(ErrorIds.StoreDiskFull, BatchOpsErrorCategory.WriteError, "The disk of the store is full.");
        var failure = new RunFailure(error);

        Assert.Equal(ErrorIds.StoreDiskFull, failure.ErrorId);
        Assert.Equal(BatchOpsErrorCategory.WriteError, failure.Category);
        Assert.Equal("The disk of the store is full.", failure.Message);
        Assert.Same(error, failure.GetException());
    }

    [Fact]
    public void An_error_the_engine_did_not_name_is_RunFailed()
    {
        var failure = new RunFailure(new InvalidOperationException("boom"));

        Assert.Equal(ErrorIds.RunFailed, failure.ErrorId);
        Assert.Equal(BatchOpsErrorCategory.InvalidOperation, failure.Category);
        Assert.Equal("boom", failure.Message);
    }

    [Fact]
    public async Task A_run_aborted_from_outside_carries_the_reason_in_its_summary()
    {
        using var folder = new TempFolder();
        using var store = Stores.Open(folder);
        BatchJob job = Stores.Seed(store, "logged", 10);
        var runner = new BatchRunner(store, Processors.Succeed(), RunnerTests.Fast());
        runner.Abort(new BatchOpsException(ErrorIds.LogDiskFull, BatchOpsErrorCategory.WriteError, "The log's disk is full."));

        BatchRunSummary summary = await runner.RunAsync(job);

        Assert.Equal(RunState.Failed, summary.State);
        Assert.Equal(StopReason.Error, summary.StopReason);
        Assert.NotNull(summary.Failure);
        Assert.Equal(ErrorIds.LogDiskFull, summary.Failure!.ErrorId);
        Assert.Equal(BatchOpsErrorCategory.WriteError, summary.Failure.Category);
        Assert.Equal("The log's disk is full.", summary.Failure.Message);
        Assert.Equal(10, store.GetJob("logged").Pending); // nothing was claimed
    }

    [Fact]
    public async Task A_completed_run_has_no_failure()
    {
        using var folder = new TempFolder();
        using var store = Stores.Open(folder);
        BatchJob job = Stores.Seed(store, "fine", 3);

        BatchRunSummary summary = await new BatchRunner(store, Processors.Succeed(), RunnerTests.Fast()).RunAsync(job);

        Assert.Equal(RunState.Completed, summary.State);
        Assert.Null(summary.Failure);
    }
}
