using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;

/// <summary>--executor: what running one no-op item through the executor costs (retries, timeout, breaker as configured by default), on one thread.</summary>
internal static class ExecutorAlone
{
    public static async Task<int> Run(int items)
    {
        var processor = new DelegateProcessor((_, _) => Task.FromResult(ItemResult.Success()));
        var options = new RunOptions();
        var executor = new ItemExecutor(processor, options, null, "bench", 1, TimeProvider.System, () => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), (_, _) => { });
        var item = new ClaimedItem { Id = 1, Key = "k", Payload = null, Attempts = 1, LeaseToken = 7 };
        for (int round = 0; round < 3; round++)
        {
            long gc = GC.GetAllocatedBytesForCurrentThread();
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < items; i++)
            {
                await executor.ExecuteAsync(new WorkUnit(item, 1), CancellationToken.None, CancellationToken.None);
            }

            Console.WriteLine($"executor alone: {clock.Elapsed.TotalMilliseconds * 1000 / items:N3} µs an item, {(GC.GetAllocatedBytesForCurrentThread() - gc) / items:N0} bytes allocated an item");
        }

        return 0;
    }
}
