using System.Threading.Tasks;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;
using Xunit;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Tests;

/// <summary>A job removed or cleared by force under a live run: the run stops with a reason, it does not crash.</summary>
public class JobRemovedTests
{
    [Theory, SqliteStore, PostgresStore]
    public Task A_run_whose_job_is_removed_under_it_stops_and_says_why(Backend backend) => RunWhileTheJobGoes(backend, remove: true);

    [Theory, SqliteStore, PostgresStore]
    public Task A_run_whose_job_is_cleared_under_it_stops_and_says_why(Backend backend) => RunWhileTheJobGoes(backend, remove: false);

    private static async Task RunWhileTheJobGoes(Backend backend, bool remove)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        IJobStore other = test.Open(); // "another window": Remove-BatchJob -Force / Clear-BatchJob -Force
        BatchJob job = Stores.Seed(store, "doomed", 20);
        var processor = DelegateProcessor.FromSync(item =>
        {
            if (item.Key == "item-00003")
            {
                BatchJob current = other.GetJob("doomed");
                if (remove)
                {
                    other.RemoveJob(current);
                }
                else
                {
                    other.ClearJob(current);
                }
            }

            return ItemResult.Success();
        });
        var runner = new BatchRunner(store, processor, RunnerTests.Fast(batchSize: 2, throttle: 1));

        BatchRunSummary summary = await runner.RunAsync(job);

        Assert.Equal(RunState.Stopped, summary.State);
        Assert.Equal(StopReason.JobRemoved, summary.StopReason);
        Assert.Contains("removed or cleared while this run was processing it", summary.Message);
        Assert.Null(summary.Failure);
        Assert.True(summary.Succeeded <= 3);
        Assert.Equal(remove, other.FindJob("doomed") == null);
    }

    [Theory, SqliteStore, PostgresStore]
    public void Recording_for_a_run_that_is_gone_is_refused_with_JobRemoved(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "gone", 1);
        long runId = store.StartRun(job.Id, new RunStart { Host = "h", ProcessId = 1, User = "u", OptionsJson = "{}" });
        store.RemoveJob(job);

        var e = Assert.Throws<BatchOpsException>(() => store.Commit(new RunCommit
        {
            JobId = job.Id,
            RunId = runId,
            Checkpoint = new RunCheckpointUpdate { State = RunState.Running },
        }));
        Assert.Equal(ErrorIds.JobRemoved, e.ErrorId);
    }
}
