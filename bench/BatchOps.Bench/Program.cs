using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using BatchOps;
using BatchOps.Engine.Diagnostics;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;
using BatchOps.Engine.Platform;
using BatchOps.Engine.Input;

// Usage: dotnet run -c Release --project bench/BatchOps.Bench [-- [--profile] <items> [<batch size> ...]]
// Runs a no-op delegate over <items> items (default 100,000) for each batch size (default 5 and 1000) with the
// default ThrottleLimit (5), every outcome committed to a fresh SQLite store, and prints items/s and memory, beside
// the floor: the minimal SQL for the same work on this machine (SqlFloor.cs, median of three), and the ratios.
// Each measurement is a process of its own with four runs in it: the first pays the JIT, the fourth does not (EngineRun.cs).
// --profile adds where the steady run's time went (claim, execute, commit, the recorder's other work; RunProfile).
// --scale [<items> ...]: a 10k, 100k and 1M-item job (ScaleBench.cs); takes minutes, not for CI.
// --store <items> <batch size>: the store alone (claims and commits on one thread, no runner) beside the floor.
// --executor [<items>]: what one no-op item costs in the executor (Polly retry, timeout, breaker), on one thread.
// --server [<items>]: 1 and 3 processes on one job, SQLite beside PostgreSQL (BATCHOPS_BENCH_POSTGRES), and wake latency on each (ServerBench.cs).
if (args.Length > 0 && args[0] == "--server")
{
    return await ServerBench.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000);
}

if (args.Length > 2 && args[0] == "--server-one")
{
    return await ServerBench.RunOne(args[1], int.Parse(args[2], CultureInfo.InvariantCulture));
}

// dotnet run -c Release --project bench/BatchOps.Bench -- --wake: how soon a continuous run in deep sleep takes an item
// added from another connection (the default one-second check), and what a memory reading and a release cost.
if (args.Length > 0 && args[0] == "--wake")
{
    return await MeasureWake(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10);
}

// dotnet run -c Release --project bench/BatchOps.Bench -- --export <items>: Export-BatchResult's speed and peak memory.
if (args.Length > 1 && args[0] == "--export")
{
    return await ExportBench.Prepare(int.Parse(args[1], CultureInfo.InvariantCulture));
}

if (args.Length > 2 && args[0] == "--export-one")
{
    return ExportBench.One(args[1], args[2]);
}

if (args.Length > 0 && args[0] == "--one")
{
    return await EngineRun.MeasureOne(int.Parse(args[1], CultureInfo.InvariantCulture), int.Parse(args[2], CultureInfo.InvariantCulture));
}

if (args.Length > 0 && args[0] == "--executor")
{
    return await ExecutorAlone.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000_000);
}

if (args.Length > 0 && args[0] == "--store")
{
    // The store alone beside the floor (no runner), CPU per item: for judging a change to the store's SQL.
    int storeItems = int.Parse(args[1], CultureInfo.InvariantCulture), storeBatch = int.Parse(args[2], CultureInfo.InvariantCulture);
    if (Environment.GetEnvironmentVariable("BATCHOPS_BENCH_WARM") == "1")
    {
        StoreAlone.Measure(storeItems, storeBatch); // JIT and tiering done before the measured drain
        StoreAlone.ClaimTicks = StoreAlone.CommitTicks = 0;
    }

    (double storeRate, double storeCpu) = StoreAlone.Measure(storeItems, storeBatch);
    (double floorRate, double floorCpu) = SqlFloor.Measure(storeItems, storeBatch);
    Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "store alone {0:N0} items/s {1:N2} µs CPU an item; floor {2:N0} items/s {3:N2} µs; store / floor CPU {4:N2}x", storeRate, storeCpu, floorRate, floorCpu, storeCpu / floorCpu));
    Console.WriteLine(string.Format(
        CultureInfo.InvariantCulture,
        "  µs an item: store claim {0:N2}, commit {1:N2}; floor claim {2:N2}, outcomes {3:N2}",
        StoreAlone.ClaimTicks * 1e6 / Stopwatch.Frequency / storeItems,
        StoreAlone.CommitTicks * 1e6 / Stopwatch.Frequency / storeItems,
        SqlFloor.ClaimTicks * 1e6 / Stopwatch.Frequency / storeItems,
        SqlFloor.FinishTicks * 1e6 / Stopwatch.Frequency / storeItems));
    return 0;
}

if (args.Length > 0 && args[0] == "--scale-one")
{
    return await ScaleBench.MeasureOne(int.Parse(args[1], CultureInfo.InvariantCulture));
}

if (args.Length > 0 && args[0] == "--scale")
{
    return await ScaleBench.Run(args.Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray());
}

bool profile = args.Length > 0 && args[0] == "--profile";
if (profile)
{
    args = args.Skip(1).ToArray();
}

int items = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
int[] batchSizes = args.Length > 1 ? args.Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray() : new[] { 5, 1000 };
Console.WriteLine($"BatchOps engine benchmark: no-op delegate, ThrottleLimit 5, SQLite store (WAL, synchronous=NORMAL)");
Console.WriteLine($"{Environment.ProcessorCount} cores, .NET {Environment.Version}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}");
Console.WriteLine();
Console.WriteLine("| items | batch size | enqueue items/s | first run items/s | steady run items/s | floor items/s | first / floor | steady / floor | batches | peak working set | managed heap after runs |");
Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
var breakdowns = new System.Collections.Generic.List<string>();
foreach (int batchSize in batchSizes)
{
    string[] lines = (await Child.Run(profile, "--one", items.ToString(CultureInfo.InvariantCulture), batchSize.ToString(CultureInfo.InvariantCulture))).Split('\n');
    Console.WriteLine(lines[0].TrimEnd());
    breakdowns.AddRange(lines.Skip(1).Select(l => l.TrimEnd()).Where(l => l.Length > 0));
}

if (breakdowns.Count > 0)
{
    Console.WriteLine();
    breakdowns.ForEach(Console.WriteLine);
}

return 0;

static async Task<int> MeasureWake(int rounds)
{
    string folder = Path.Combine(Path.GetTempPath(), "batchops-bench-" + Guid.NewGuid().ToString("N"));
    Directory.CreateDirectory(folder);
    try
    {
        string path = Path.Combine(folder, "wake.db");
        IReadOnlyList<double> latencies = await ServerBench.WakeLatency(() => SqliteJobStore.Open(path), rounds);
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "wake latency over {0} items added to a sleeping continuous run: min {1:N0} ms, median {2:N0} ms, max {3:N0} ms",
            rounds, latencies[0], latencies[latencies.Count / 2], latencies[latencies.Count - 1]));

        var probe = Stopwatch.StartNew();
        MemoryReading? reading = null;
        for (int i = 0; i < 1000; i++)
        {
            reading = SystemMemory.Read();
        }

        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "memory reading ({0}): {1:N1} µs each", reading?.Source ?? "none", probe.Elapsed.TotalMilliseconds));

        var garbage = new System.Collections.Generic.List<byte[]>();
        for (int i = 0; i < 200; i++)
        {
            var block = new byte[1024 * 1024];
            for (int page = 0; page < block.Length; page += 4096)
            {
                block[page] = 1; // touch every page, so that the garbage is resident
            }

            garbage.Add(block);
        }

        garbage.Clear();
        var release = Stopwatch.StartNew();
        (long before, long after) = MemoryRelease.Release();
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "deep-sleep release after 200 MB of garbage: working set {0:N0} MB -> {1:N0} MB in {2:N0} ms",
            before / 1048576.0, after / 1048576.0, release.Elapsed.TotalMilliseconds));
        return 0;
    }
    finally
    {
        Directory.Delete(folder, recursive: true);
    }
}
