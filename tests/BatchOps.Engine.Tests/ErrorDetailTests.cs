using System.Linq;
using System.Threading.Tasks;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;
using Xunit;

namespace BatchOps.Engine.Tests;

public class ErrorDetailTests
{
    [Theory, SqliteStore, PostgresStore]
    public async Task The_error_log_keeps_a_processor_s_detail_for_retried_and_final_failures(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "detail", 1);
        var options = RunnerTests.Fast(batchSize: 1, throttle: 1);
        options.RetryLimit = 1;
        var processor = DelegateProcessor.FromSync(item => ItemResult.Failure("boom", "TimeoutException", detail: "At line:3 char:5\nat <ScriptBlock>, line 3"));

        await new BatchRunner(store, processor, options).RunAsync(job);

        var errors = store.GetErrors(store.GetJob("detail"), 10);
        Assert.Equal(2, errors.Count);
        Assert.All(errors, e =>
        {
            Assert.Equal("boom", e.Message);
            Assert.Equal("TimeoutException", e.ErrorType);
            Assert.Equal("At line:3 char:5\nat <ScriptBlock>, line 3", e.Detail);
        });
        Assert.Equal("boom", store.GetItems(store.GetJob("detail"), new ItemQuery()).Single().LastError);
    }
}
