using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading.Tasks;
using BatchOps;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Reporting;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;
using BatchOps.Engine.Input;

/// <summary>
/// dotnet run -c Release --project bench/BatchOps.Bench -- --export &lt;items&gt;: a job of &lt;items&gt; items whose results are
/// JSON objects, exported to CSV and to JSON Lines, each export in a fresh process so that its peak working set is
/// its own: the figure that shows whether memory stays flat as the job grows.
/// </summary>
internal static class ExportBench
{
    public static async Task<int> Prepare(int items)
    {
        string folder = Path.Combine(Path.GetTempPath(), "batchops-export-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            string db = Path.Combine(folder, "bench.db");
            using (var store = SqliteJobStore.Open(db))
            {
                BatchJob job = store.GetOrCreateJob("bench");
                var buffer = new EnqueueBuffer(store, job, chunkSize: 5_000);
                for (int i = 0; i < items; i++)
                {
                    buffer.Add(new NewItem("item-" + i.ToString(CultureInfo.InvariantCulture), "\"payload\""));
                }

                buffer.Complete();
                var processor = new DelegateProcessor((item, _) => Task.FromResult(ItemResult.Success(
                    "{\"Sku\":\"" + item.Key + "\",\"Score\":" + (item.Key.Length * 7 % 100).ToString(CultureInfo.InvariantCulture) + ",\"Verdict\":\"keep, with a comma\"}")));
                await new BatchRunner(store, processor, new RunOptions { BatchSize = 1000 }).RunAsync(store.GetJob("bench"));
            }

            Console.WriteLine("| items | format | seconds | rows/s | file MB | peak working set MB |");
            Console.WriteLine("|---:|---|---:|---:|---:|---:|");
            foreach (string extension in new[] { "csv", "jsonl" })
            {
                string self = Environment.ProcessPath!;
                string entry = System.Reflection.Assembly.GetEntryAssembly()!.Location;
                var info = new ProcessStartInfo(self) { RedirectStandardOutput = true };
                if (self.EndsWith("dotnet", StringComparison.Ordinal))
                {
                    info.ArgumentList.Add(entry);
                }

                info.ArgumentList.Add("--export-one");
                info.ArgumentList.Add(db);
                info.ArgumentList.Add(Path.Combine(folder, "results." + extension));
                using Process child = Process.Start(info)!;
                Console.WriteLine((await child.StandardOutput.ReadToEndAsync()).TrimEnd());
                await child.WaitForExitAsync();
            }

            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    public static int One(string db, string path)
    {
        using var store = SqliteJobStore.Open(db, StoreAccess.ReadOnly);
        BatchJob job = store.GetJob("bench");
        var exporter = new ResultExporter(store, job);
        if (Environment.GetEnvironmentVariable("BATCHOPS_BENCH_READ") == "1")
        {
            var read = Stopwatch.StartNew();
            long n = 0;
            foreach (BatchItem item in ItemPages.Read(store, job, new ItemQuery { IncludePayload = false }))
            {
                n += item.Key.Length;
            }

            Console.Error.WriteLine($"read only: {read.Elapsed.TotalSeconds:F1} s");
            read.Restart();
            foreach (BatchItem item in ItemPages.Read(store, job, new ItemQuery { IncludePayload = false }))
            {
                n += ResultRow.Of(item).Count;
            }

            Console.Error.WriteLine($"read and row: {read.Elapsed.TotalSeconds:F1} s");
        }

        var clock = Stopwatch.StartNew();
        long rows = 0;
        foreach (ResultFilePlan plan in exporter.Plan(new ResultExportRequest { Path = path }))
        {
            rows += exporter.Write(plan);
        }

        clock.Stop();
        using Process self = Process.GetCurrentProcess();
        Console.WriteLine(string.Format(
            CultureInfo.InvariantCulture,
            "| {0:N0} | {1} | {2:F1} | {3:N0} | {4:F0} | {5:F0} |",
            rows,
            Path.GetExtension(path).TrimStart('.'),
            clock.Elapsed.TotalSeconds,
            rows / clock.Elapsed.TotalSeconds,
            new FileInfo(path).Length / 1048576.0,
            self.PeakWorkingSet64 / 1048576.0));
        return 0;
    }
}
