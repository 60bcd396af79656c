using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;
using Xunit;
using BatchOps.Engine.Input;

namespace BatchOps.Engine.Tests;

/// <summary>A folder of its own for each test, removed afterwards.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "batchops-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>Only on Linux, where /proc shows every process's environment.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
        {
            Skip = "needs Linux /proc";
        }
    }
}

internal static class Stores
{
    public static SqliteJobStore Open(TempFolder folder, TimeProvider? time = null) =>
        SqliteJobStore.Open(folder.File("batchops.db"), StoreAccess.ReadWrite, time);

    public static BatchJob Seed(IJobStore store, string job, int count, string prefix = "item-")
    {
        BatchJob created = store.GetOrCreateJob(job);
        var items = Enumerable.Range(0, count).Select(i => new NewItem(prefix + i.ToString("D5"), PayloadJson.FromText("payload " + i))).ToList();
        store.Enqueue(created, items);
        return store.GetJob(job);
    }

    /// <summary>Counts straight from the items table, to check the job's counters against.</summary>
    public static Dictionary<ItemStatus, long> CountByScan(IJobStore store, BatchJob job) =>
        store.GetItems(job, new ItemQuery { IncludePayload = false })
            .GroupBy(i => i.Status)
            .ToDictionary(g => g.Key, g => (long)g.Count());

    public static void AssertCountersMatchItems(IJobStore store, string jobName)
    {
        BatchJob job = store.GetJob(jobName);
        Dictionary<ItemStatus, long> scan = CountByScan(store, job);
        long Get(ItemStatus s) => scan.TryGetValue(s, out long n) ? n : 0;
        Assert.Equal(Get(ItemStatus.Pending), job.Pending);
        Assert.Equal(Get(ItemStatus.Running), job.Running);
        Assert.Equal(Get(ItemStatus.Succeeded), job.Succeeded);
        Assert.Equal(Get(ItemStatus.Failed), job.Failed);
        Assert.Equal(scan.Values.Sum(), job.Total);
    }
}

/// <summary>Collects a run's events for assertions.</summary>
internal sealed class EventLog
{
    private readonly Channel<RunEvent> _channel = Channel.CreateUnbounded<RunEvent>();

    public ChannelWriter<RunEvent> Writer => _channel.Writer;

    public List<RunEvent> Drain()
    {
        var events = new List<RunEvent>();
        while (_channel.Reader.TryRead(out RunEvent? e))
        {
            events.Add(e);
        }

        return events;
    }
}

internal static class Processors
{
    public static DelegateProcessor Succeed() => DelegateProcessor.FromSync(item => ItemResult.Success("ok " + item.Key));

    /// <summary>Waits for a condition that another thread will make true, failing the test after a generous limit.</summary>
    public static async Task WaitUntil(Func<bool> condition, string what, int timeoutSeconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Gave up waiting for: " + what);
            }

            await Task.Delay(10);
        }
    }
}
