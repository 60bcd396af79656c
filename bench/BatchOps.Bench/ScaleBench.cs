using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using BatchOps;
using BatchOps.Engine;
using BatchOps.Engine.Health;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;
using BatchOps.Engine.Input;

/// <summary>
/// --scale: jobs of 10,000, 100,000 and 1,000,000 items (or the sizes given), each in a process of its own: enqueue,
/// run (no-op delegate, batch 1000), then the latency of what the status cmdlets read (Get-BatchJob, Get-BatchCheckpoint,
/// Get-BatchHealth, Get-BatchItem -First 10; the median of 21 calls on a store opened afresh), the peak working set
/// of the whole process, and the store's size per item. Memory should stay flat: 1M no more than 1.3x the 10k peak.
/// </summary>
internal static class ScaleBench
{
    private const int Calls = 21;

    public static async Task<int> Run(int[] sizes)
    {
        if (sizes.Length == 0)
        {
            sizes = new[] { 10_000, 100_000, 1_000_000 };
        }

        Console.WriteLine("BatchOps scale benchmark: no-op delegate, batch 1000, ThrottleLimit 5, SQLite store (WAL, synchronous=NORMAL)");
        Console.WriteLine($"{Environment.ProcessorCount} cores, .NET {Environment.Version}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}");
        Console.WriteLine();
        Console.WriteLine("| items | enqueue items/s | run items/s | Get-BatchJob | Get-BatchCheckpoint | Get-BatchHealth | Get-BatchItem -First 10 | peak working set | store bytes/item |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        var peaks = new List<(int Items, double Peak)>();
        foreach (int size in sizes)
        {
            string line = (await Child.Run(false, "--scale-one", size.ToString(CultureInfo.InvariantCulture))).Trim();
            Console.WriteLine(line);
            string[] cells = line.Split('|');
            if (cells.Length > 8 && double.TryParse(cells[8].Replace("MB", "").Trim(), NumberStyles.Number, CultureInfo.InvariantCulture, out double peak))
            {
                peaks.Add((size, peak));
            }
        }

        if (peaks.Count > 1)
        {
            Console.WriteLine();
            Console.WriteLine(string.Format(
                CultureInfo.InvariantCulture,
                "peak working set at {0:N0} items is {1:N2}x the peak at {2:N0} (flat memory: <= 1.3x)",
                peaks[peaks.Count - 1].Items,
                peaks[peaks.Count - 1].Peak / peaks[0].Peak,
                peaks[0].Items));
        }

        return 0;
    }

    public static async Task<int> MeasureOne(int items)
    {
        string folder = Path.Combine(Path.GetTempPath(), "batchops-scale-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, "scale.db");
        try
        {
            double enqueueRate, runRate;
            using (var store = SqliteJobStore.Open(path))
            {
                BatchJob job = store.GetOrCreateJob("scale");
                var enqueue = Stopwatch.StartNew();
                using (var buffer = new EnqueueBuffer(store, job, chunkSize: 5_000))
                {
                    for (int i = 0; i < items; i++)
                    {
                        buffer.Add(new NewItem("item-" + i.ToString(CultureInfo.InvariantCulture), "\"payload\""));
                    }

                    buffer.Complete();
                }

                enqueueRate = items / enqueue.Elapsed.TotalSeconds;
                var processor = new DelegateProcessor((_, _) => Task.FromResult(ItemResult.Success()));
                var run = Stopwatch.StartNew();
                BatchRunSummary summary = await new BatchRunner(store, processor, new RunOptions { BatchSize = 1000 }).RunAsync(store.GetJob("scale"));
                runRate = items / run.Elapsed.TotalSeconds;
                if (summary.Succeeded != items)
                {
                    Console.Error.WriteLine($"expected {items} successes, got {summary.Succeeded} ({summary.State}: {summary.Message})");
                    return 1;
                }
            }

            double jobMs, checkpointMs, healthMs, itemsMs;
            using (var store = SqliteJobStore.Open(path))
            {
                jobMs = Median(() => store.GetJob("scale"));
                checkpointMs = Median(() => store.GetCheckpoint(store.GetJob("scale")));
                healthMs = Median(() => new HealthMonitor(store, "scale", null).Sample());
                itemsMs = Median(() => store.GetItems(store.GetJob("scale"), new ItemQuery { First = 10 }));
            }

            long bytes = Directory.GetFiles(folder).Sum(f => new FileInfo(f).Length);
            using Process self = Process.GetCurrentProcess();
            Console.WriteLine(string.Format(
                CultureInfo.InvariantCulture,
                "| {0:N0} | {1:N0} | {2:N0} | {3:N2} ms | {4:N2} ms | {5:N2} ms | {6:N2} ms | {7:N0} MB | {8:N0} |",
                items,
                enqueueRate,
                runRate,
                jobMs,
                checkpointMs,
                healthMs,
                itemsMs,
                self.PeakWorkingSet64 / 1024.0 / 1024.0,
                (double)bytes / items));
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static double Median(Func<object?> call)
    {
        var times = new double[Calls];
        for (int i = 0; i < Calls; i++)
        {
            var clock = Stopwatch.StartNew();
            _ = call();
            times[i] = clock.Elapsed.TotalMilliseconds;
        }

        Array.Sort(times);
        return times[Calls / 2];
    }
}
