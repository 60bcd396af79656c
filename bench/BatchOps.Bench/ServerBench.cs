using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using BatchOps;
using BatchOps.Engine.Input;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;
using BatchOps.Engine.Storage.Postgres;
using Npgsql;

/// <summary>
/// --server [items]: one job run by 1 and by 3 processes at once, at batch 5 and 1000, on a SQLite file and on the
/// PostgreSQL server BATCHOPS_BENCH_POSTGRES (else BATCHOPS_TEST_POSTGRES) names, no-op items; items/s is the job's
/// items over the time from the first run's start to the last run's end. Then the wake latency of a sleeping
/// continuous run on each backend (SQLite looks every second; PostgreSQL is told by LISTEN/NOTIFY).
/// </summary>
internal static class ServerBench
{
    private const string JobName = "bench";

    public static async Task<int> Run(int items)
    {
        string? server = Environment.GetEnvironmentVariable("BATCHOPS_BENCH_POSTGRES") is { Length: > 0 } b ? b : Environment.GetEnvironmentVariable("BATCHOPS_TEST_POSTGRES");
        if (string.IsNullOrEmpty(server))
        {
            Console.Error.WriteLine("Set BATCHOPS_BENCH_POSTGRES to an Npgsql connection string of a role that may create databases.");
            return 2;
        }

        Console.WriteLine($"One job of {items:N0} no-op items, ThrottleLimit 5 in each process; {Environment.ProcessorCount} cores");
        Console.WriteLine();
        Console.WriteLine("| store | batch size | processes | items/s | slowest process items/s |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (string backend in new[] { "sqlite", "postgres" })
        {
            foreach (int batch in new[] { 5, 1000 })
            {
                foreach (int processes in new[] { 1, 3 })
                {
                    using var store = BenchStore.Create(backend, server);
                    Seed(store.Location, items);
                    Task<string>[] children = Enumerable.Range(0, processes).Select(_ => Child.Run(false, "--server-one", store.Location, batch.ToString(CultureInfo.InvariantCulture))).ToArray();
                    string[] outputs = await Task.WhenAll(children);
                    var runs = outputs.Select(o => o.Trim().Split(' ').Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToList();
                    long done = runs.Sum(r => r[2]);
                    double seconds = (runs.Max(r => r[1]) - runs.Min(r => r[0])) / 1000.0;
                    double slowest = runs.Min(r => r[2] / Math.Max(0.001, (r[1] - r[0]) / 1000.0));
                    string note = done == items ? "" : $" (only {done} of {items} succeeded)";
                    Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "| {0} | {1:N0} | {2} | {3:N0}{4} | {5:N0} |", backend == "sqlite" ? "SQLite" : "PostgreSQL", batch, processes, items / seconds, note, slowest));
                }
            }
        }

        Console.WriteLine();
        foreach (string backend in new[] { "sqlite", "postgres" })
        {
            using var store = BenchStore.Create(backend, server);
            IReadOnlyList<double> latencies = await WakeLatency(() => store.Open(), 10);
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "wake latency on {0}, {1} items added to a sleeping continuous run: min {2:N0} ms, median {3:N0} ms, max {4:N0} ms",
                backend == "sqlite" ? "SQLite" : "PostgreSQL", latencies.Count, latencies[0], latencies[latencies.Count / 2], latencies[latencies.Count - 1]));
        }

        return 0;
    }

    /// <summary>One process's run over the job until it is drained; prints its start and end (Unix ms) and its successes.</summary>
    public static async Task<int> RunOne(string location, int batchSize)
    {
        using IJobStore store = BenchStore.OpenAt(location);
        var processor = new DelegateProcessor((_, _) => Task.FromResult(ItemResult.Success()));
        long start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        BatchRunSummary summary = await new BatchRunner(store, processor, new RunOptions { BatchSize = batchSize }).RunAsync(store.GetJob(JobName));
        long end = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0} {1} {2}", start, end, summary.Succeeded));
        return 0;
    }

    /// <summary>How soon a continuous run in deep sleep takes an item added from another connection, <paramref name="rounds"/> times, sorted.</summary>
    public static async Task<IReadOnlyList<double>> WakeLatency(Func<IJobStore> open, int rounds)
    {
        using IJobStore store = open();
        using IJobStore feeder = open();
        BatchJob job = store.GetOrCreateJob("wake");
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, long>();
        var processor = new DelegateProcessor((item, _) =>
        {
            seen[item.Key] = Stopwatch.GetTimestamp();
            return Task.FromResult(ItemResult.Success());
        });
        var runner = new BatchRunner(store, processor, new RunOptions { Continuous = true, DeepSleepAfter = TimeSpan.Zero });
        Task<BatchRunSummary> run = runner.RunAsync(job);
        var random = new Random(7);
        var latencies = new List<double>();
        for (int i = 0; i < rounds; i++)
        {
            await Task.Delay(300 + random.Next(1200)); // the run is asleep, at a random point of its one-second check
            string key = "late-" + i.ToString(CultureInfo.InvariantCulture);
            long added = Stopwatch.GetTimestamp();
            feeder.Enqueue(feeder.GetJob("wake"), new[] { new NewItem(key) });
            while (!seen.ContainsKey(key))
            {
                await Task.Delay(1);
            }

            latencies.Add(Stopwatch.GetElapsedTime(added, seen[key]).TotalMilliseconds);
        }

        feeder.RequestStop(runner.RunId);
        await run;
        latencies.Sort();
        return latencies;
    }

    private static void Seed(string location, int items)
    {
        using IJobStore store = BenchStore.OpenAt(location);
        BatchJob job = store.GetOrCreateJob(JobName);
        var buffer = new EnqueueBuffer(store, job, chunkSize: 5_000);
        for (int i = 0; i < items; i++)
        {
            buffer.Add(new NewItem("item-" + i.ToString(CultureInfo.InvariantCulture), "\"payload\""));
        }

        buffer.Complete();
    }

    /// <summary>A fresh store for one measurement: a SQLite file in a folder of its own, or a database of its own.</summary>
    private sealed class BenchStore : IDisposable
    {
        private readonly string? _folder;
        private readonly string? _database;
        private readonly string _server;

        private BenchStore(string backend, string server)
        {
            _server = server;
            if (backend == "sqlite")
            {
                _folder = Path.Combine(Path.GetTempPath(), "batchops-bench-" + Guid.NewGuid().ToString("N"));
                Directory.CreateDirectory(_folder);
                Location = Path.Combine(_folder, "bench.db");
            }
            else
            {
                _database = "batchops_bench_" + Guid.NewGuid().ToString("N").Substring(0, 10);
                Admin($"CREATE DATABASE {_database}");
                Location = new NpgsqlConnectionStringBuilder(server) { Database = _database }.ConnectionString;
            }
        }

        public string Location { get; }

        public static BenchStore Create(string backend, string server) => new BenchStore(backend, server);

        public static IJobStore OpenAt(string location) =>
            JobStoreFactory.KindOf(location) == StoreKind.PostgreSql ? PostgresJobStore.Open(location) : SqliteJobStore.Open(location);

        public IJobStore Open() => OpenAt(Location);

        public void Dispose()
        {
            if (_folder != null)
            {
                Directory.Delete(_folder, recursive: true);
            }
            else
            {
                NpgsqlConnection.ClearAllPools();
                Admin($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)");
            }
        }

        private void Admin(string sql)
        {
            using var connection = new NpgsqlConnection(_server);
            connection.Open();
            using var command = new NpgsqlCommand(sql, connection);
            command.ExecuteNonQuery();
        }
    }
}
