using System.Threading;
using System.Threading.Tasks;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;
using Xunit;

namespace BatchOps.Engine.Tests.Postgres;

/// <summary>
/// A connection the server ends (a restart, a failover, an idle timeout, pg_terminate_backend) is opened again: the
/// store's next operation and a run in progress go on as if nothing happened.
/// </summary>
public class ReconnectTests
{
    private const string EndOtherSessions =
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()";

    [PostgresFact]
    public void The_store_answers_again_after_the_server_ended_its_connection()
    {
        using var test = TestStore.Create(Backend.Postgres);
        Stores.Seed(test.Store, "feed", 3);

        test.Database!.Execute(EndOtherSessions);

        Assert.Equal(3, test.Store.GetJob("feed").Pending);
        test.Store.Enqueue(test.Store.GetJob("feed"), new[] { new NewItem("after") });
        Assert.Equal(4, test.Store.GetJob("feed").Total);
    }

    [PostgresFact]
    public async Task A_run_whose_connections_the_server_ends_midway_finishes_every_item_once()
    {
        using var test = TestStore.Create(Backend.Postgres);
        BatchJob job = Stores.Seed(test.Store, "feed", 200);
        int done = 0;
        var processor = DelegateProcessor.FromSync(item =>
        {
            if (Interlocked.Increment(ref done) == 100)
            {
                test.Database!.Execute(EndOtherSessions); // the run's store connection and its listener
            }

            return ItemResult.Success();
        });

        BatchRunSummary summary = await new BatchRunner(test.Store, processor, new RunOptions { BatchSize = 10, ThrottleLimit = 2 }).RunAsync(job);

        Assert.Null(summary.Failure);
        Assert.Equal(200, summary.Succeeded);
        BatchJob after = test.Store.GetJob("feed");
        Assert.Equal((200L, 0L, 0L), (after.Succeeded, after.Pending, after.Running));
        Stores.AssertCountersMatchItems(test.Store, "feed");
    }
}
