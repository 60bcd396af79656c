using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using BatchOps.Engine.Storage;
using Microsoft.Data.Sqlite;
using Xunit;
using Xunit.Abstractions;

namespace BatchOps.Engine.Tests;

/// <summary>
/// The engine in separate processes: killed with SIGKILL mid-batch, and three at once on one store. The processes
/// run BatchOps.Engine.TestHost, which logs every item it starts before it works on it.
/// </summary>
public class ProcessTests
{
    private readonly ITestOutputHelper _output;

    public ProcessTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task A_runner_killed_mid_batch_again_and_again_loses_nothing_and_records_nothing_twice()
    {
        using var folder = new TempFolder();
        string store = folder.File("crash.db");
        string log = folder.File("executions.log");
        const int items = 1_000;
        using (var seed = SqliteJobStore.Open(store))
        {
            Stores.Seed(seed, "embed", items);
        }

        int kills = 0;
        for (int round = 0; round < 5; round++)
        {
            long before = Succeeded(store);
            using Process host = StartHost(store, "embed", feed: 0, batchSize: 5, throttle: 3, workMs: 15, log);

            // Kill once the host has committed a few more items, so that the kill lands mid-run with items in flight.
            await Processors.WaitUntil(() => host.HasExited || Succeeded(store) >= before + 12, "the host to make progress");
            if (host.HasExited)
            {
                string stderr = await host.StandardError.ReadToEndAsync();
                Assert.True(host.ExitCode == 0 && Succeeded(store) == items, $"the host ended by itself (exit {host.ExitCode}) before the job was done: {stderr}");
                break; // the job finished before this round's kill
            }

            host.Kill(); // SIGKILL: no finally blocks, no final checkpoint
            await host.WaitForExitAsync();
            kills++;
            Assert.True(Succeeded(store) < items, "the job should not be done yet");
        }

        Assert.True(kills >= 3, $"only {kills} kills landed mid-run");

        // The next run notices the dead runs, takes their items back at once and finishes the job.
        using (Process last = StartHost(store, "embed", feed: 0, batchSize: 5, throttle: 3, workMs: 0, log))
        {
            await last.WaitForExitAsync();
            Assert.Equal(0, last.ExitCode);
        }

        using var check = SqliteJobStore.Open(store);
        BatchJob job = check.GetJob("embed");
        Assert.True(items == job.Succeeded, $"{job.Succeeded} succeeded, {job.Pending} pending, {job.Running} running, {job.Failed} failed; last errors: " +
            string.Join(" | ", check.GetErrors(job, 5).Select(e => $"{e.Key} #{e.Attempt} {e.ErrorType}: {e.Message}")));
        Assert.Equal(0, job.Pending + job.Running + job.Failed);
        Stores.AssertCountersMatchItems(check, "embed");

        // Every item ran at least once (at-least-once), and each success was recorded exactly once: the per-run
        // success counts add up to the number of items, and no item has two finish records.
        HashSet<string> executed = File.ReadAllLines(log).Where(l => l.Length > 0).ToHashSet();
        Assert.Equal(items, executed.Count);
        Assert.Equal((long)items, Scalar(store, "SELECT sum(succeeded) FROM runs"));
        Assert.Equal((long)items, Scalar(store, "SELECT count(*) FROM items WHERE status = 2 AND finished_ms IS NOT NULL"));
        Assert.Equal((long)kills, Scalar(store, "SELECT count(*) FROM runs WHERE state = 'Crashed'"));
        Assert.Equal("ok", Scalar(store, "PRAGMA integrity_check"));
        _output.WriteLine($"{kills} kills; {File.ReadAllLines(log).Length} executions for {items} items");
    }

    [Fact]
    public async Task Three_processes_on_one_store_process_every_item_once_without_lock_errors()
    {
        using var folder = new TempFolder();
        string store = folder.File("shared.db");
        const int items = 600;
        var hosts = new List<(Process Process, string Log, Task<string> Errors)>();
        for (int i = 0; i < 3; i++)
        {
            // Each process also feeds the same keys: enqueueing is idempotent, so the job still has 600 items.
            string log = folder.File($"executions-{i}.log");
            Process host = StartHost(store, "topics", feed: items, batchSize: 10, throttle: 4, workMs: 1, log);
            hosts.Add((host, log, host.StandardError.ReadToEndAsync()));
        }

        foreach ((Process process, _, Task<string> errors) in hosts)
        {
            await process.WaitForExitAsync();
            string stderr = await errors;
            Assert.True(process.ExitCode == 0, $"host exited {process.ExitCode}: {stderr}");
            Assert.DoesNotContain("locked", stderr, StringComparison.OrdinalIgnoreCase);
            process.Dispose();
        }

        var perProcess = hosts.Select(h => File.ReadAllLines(h.Log).Where(l => l.Length > 0).ToList()).ToList();
        List<string> all = perProcess.SelectMany(l => l).ToList();
        Assert.Equal(items, all.Count); // no item ran twice
        Assert.Equal(items, all.Distinct().Count()); // and every item ran
        _output.WriteLine("items per process: " + string.Join(", ", perProcess.Select(p => p.Count)));

        using var check = SqliteJobStore.Open(store);
        BatchJob job = check.GetJob("topics");
        Assert.Equal(items, job.Total);
        Assert.Equal(items, job.Succeeded);
        Stores.AssertCountersMatchItems(check, "topics");
        Assert.Equal("ok", Scalar(store, "PRAGMA integrity_check"));
    }

    private static Process StartHost(string store, string job, int feed, int batchSize, int throttle, int workMs, string log)
    {
        string host = Path.Combine(AppContext.BaseDirectory, "BatchOps.Engine.TestHost.dll");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[]
                 {
                     host, store, job, feed.ToString(CultureInfo.InvariantCulture), batchSize.ToString(CultureInfo.InvariantCulture),
                     throttle.ToString(CultureInfo.InvariantCulture), workMs.ToString(CultureInfo.InvariantCulture), log,
                 })
        {
            info.ArgumentList.Add(argument);
        }

        return Process.Start(info)!;
    }

    private static long Succeeded(string store)
    {
        using var connection = new SqliteConnection($"Data Source={store};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT succeeded FROM jobs WHERE name = 'embed'";
        return Convert.ToInt64(cmd.ExecuteScalar() ?? 0L, CultureInfo.InvariantCulture);
    }

    private static object? Scalar(string store, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={store};Pooling=False");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }
}
