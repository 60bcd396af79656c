using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading.Tasks;
using BatchOps;
using BatchOps.Engine.Diagnostics;
using BatchOps.Engine.Input;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;

/// <summary>
/// One measurement of the engine (its own process): a no-op delegate over a fresh SQLite job, run several times in the
/// process. The first run pays the JIT and tiered compilation (what the first run in a new pwsh pays); the steady run
/// comes after two more (BATCHOPS_BENCH_WARMUPS), on compiled code, as a later run in a long session does and as the
/// floor is, which is measured after them. Both are printed beside the floor.
/// </summary>
internal static class EngineRun
{
    private sealed record Measured(double EnqueueRate, double RunRate, TimeSpan Wall, TimeSpan Cpu, BatchRunSummary Summary);

    public static async Task<int> MeasureOne(int items, int batchSize)
    {
        bool profile = Environment.GetEnvironmentVariable(Child.ProfileVariable) == "1";
        Measured first = await Once(items, batchSize, profile: false);
        // Tiered compilation recompiles a hot method twice more (instrumented, then optimized with what it learnt), in
        // the background and after quiet spells: at 100,000 items a run ends before that settles, and so does the next.
        int warmups = int.Parse(Environment.GetEnvironmentVariable("BATCHOPS_BENCH_WARMUPS") ?? "2", CultureInfo.InvariantCulture);
        for (int i = 0; i < warmups; i++)
        {
            await Once(items, batchSize, profile: false);
        }

        Measured steady = await Once(items, batchSize, profile);
        foreach (Measured run in new[] { first, steady })
        {
            if (run.Summary.Succeeded != items)
            {
                Console.Error.WriteLine($"expected {items} successes, got {run.Summary.Succeeded} ({run.Summary.State}: {run.Summary.Message})");
                return 1;
            }
        }

        if (Environment.GetEnvironmentVariable("BATCHOPS_BENCH_RUN_ONLY") == "1")
        {
            // For a profiler attached to the runs alone (no floor, no store-alone measurement after them).
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "first run {0:N0} items/s, {1:N2} µs CPU an item; steady run {2:N0} items/s, {3:N2} µs",
                first.RunRate, Microseconds(first.Cpu, items), steady.RunRate, Microseconds(steady.Cpu, items)));
            return 0;
        }

        GC.Collect();
        using Process self = Process.GetCurrentProcess();
        double peak = self.PeakWorkingSet64 / 1024.0 / 1024.0;
        double heap = GC.GetTotalMemory(forceFullCollection: true) / 1024.0 / 1024.0;
        (double floor, double floorCpu) = SqlFloor.Measure(items, batchSize); // after the runs: its memory is not in the peak above
        Console.WriteLine(string.Format(
            CultureInfo.InvariantCulture,
            "| {0:N0} | {1:N0} | {2:N0} | {3:N0} | {4:N0} | {5:N0} | {6:N2}x | {7:N2}x | {8:N0} | {9:N0} MB | {10:N1} MB |",
            items,
            batchSize,
            first.EnqueueRate,
            first.RunRate,
            steady.RunRate,
            floor,
            first.RunRate / floor,
            steady.RunRate / floor,
            steady.Summary.Batches,
            peak,
            heap));
        if (profile)
        {
            Console.WriteLine(Breakdown.Describe(batchSize, items, steady.Wall, steady.Cpu));
            (double storeRate, double storeCpu) = StoreAlone.Measure(items, batchSize);
            Console.WriteLine(string.Format(
                CultureInfo.InvariantCulture,
                "  CPU an item: steady run {0:N2} µs, the store alone {1:N2} µs ({2:N0} items/s), floor {3:N2} µs; run / floor {4:N2}x, store / floor {5:N2}x",
                Microseconds(steady.Cpu, items),
                storeCpu,
                storeRate,
                floorCpu,
                Microseconds(steady.Cpu, items) / floorCpu,
                storeCpu / floorCpu));
        }

        return 0;
    }

    private static async Task<Measured> Once(int items, int batchSize, bool profile)
    {
        string folder = Path.Combine(Path.GetTempPath(), "batchops-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            using var store = SqliteJobStore.Open(Path.Combine(folder, "bench.db"));
            BatchJob job = store.GetOrCreateJob("bench");
            var enqueue = Stopwatch.StartNew();
            var buffer = new EnqueueBuffer(store, job, chunkSize: 5_000);
            for (int i = 0; i < items; i++)
            {
                buffer.Add(new NewItem("item-" + i.ToString(CultureInfo.InvariantCulture), "\"payload\""));
            }

            buffer.Complete();
            enqueue.Stop();

            var processor = new DelegateProcessor((_, _) => Task.FromResult(ItemResult.Success()));
            var options = new RunOptions { BatchSize = batchSize };
            if (Environment.GetEnvironmentVariable("BATCHOPS_BENCH_MEMORY") is string memory && memory.Length > 0)
            {
                options.MaxMemoryPercent = double.Parse(memory, CultureInfo.InvariantCulture); // the cmdlet's default guard is 80
            }

            if (Environment.GetEnvironmentVariable("BATCHOPS_BENCH_THROTTLE") is string throttle)
            {
                options.ThrottleLimit = int.Parse(throttle, CultureInfo.InvariantCulture);
            }

            RunProfile.Enabled = profile;
            TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var run = Stopwatch.StartNew();
            BatchRunSummary summary = await new BatchRunner(store, processor, options).RunAsync(store.GetJob("bench"));
            run.Stop();
            TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
            RunProfile.Enabled = false;
            return new Measured(items / enqueue.Elapsed.TotalSeconds, items / run.Elapsed.TotalSeconds, run.Elapsed, cpu, summary);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static double Microseconds(TimeSpan cpu, int items) => cpu.TotalMilliseconds * 1000 / items;
}
