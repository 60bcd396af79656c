using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using BatchOps;
using BatchOps.Engine;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;
using BatchOps.Engine.Input;

// Usage: BatchOps.Engine.TestHost <store> <job> <items to feed (0 = none)> <batch size> <throttle> <work ms> <execution log>
// Feeds keys item-00000 .. (idempotently), runs the job with a processor that appends each key it starts to the
// execution log and then waits <work ms>, and prints the run summary. Exit code 0 when the run completed.
if (args.Length > 2 && args[0] == "backup-loop")
{
    return BackupLoops.Backup(args[1], args.Skip(2).ToArray());
}

if (args.Length > 5 && args[0] == "command-run")
{
    return await CommandRun.RunAsync(args.Skip(1).ToArray());
}

if (args.Length == 3 && args[0] == "restore-loop")
{
    return BackupLoops.Restore(args[1], args[2]);
}

if (args.Length == 5 && args[0] == "restore-job")
{
    return BackupLoops.RestoreJob(args[1], args[2], args[3], args[4]);
}

if (args.Length != 7)
{
    Console.Error.WriteLine("usage: <store> <job> <feed> <batch size> <throttle> <work ms> <execution log>");
    return 64;
}

string storePath = args[0];
string jobName = args[1];
int feed = int.Parse(args[2], CultureInfo.InvariantCulture);
var options = new RunOptions
{
    BatchSize = int.Parse(args[3], CultureInfo.InvariantCulture),
    ThrottleLimit = int.Parse(args[4], CultureInfo.InvariantCulture),
    // An item in flight at each of the crash test's kills would otherwise be given up after 4 attempts (the
    // poison-item rule, tested on its own); here every item must end Succeeded however the kills fall.
    RetryLimit = 10,
    RetryDelay = TimeSpan.Zero,
    MaxRetryDelay = TimeSpan.Zero,
};
int workMs = int.Parse(args[5], CultureInfo.InvariantCulture);
string executionLog = args[6];

try
{
    using var store = SqliteJobStore.Open(storePath);
    BatchJob job = store.GetOrCreateJob(jobName);
    if (feed > 0)
    {
        var items = Enumerable.Range(0, feed).Select(i => new NewItem("item-" + i.ToString("D5", CultureInfo.InvariantCulture), PayloadJson.FromText("payload " + i))).ToList();
        store.Enqueue(job, items);
        job = store.GetJob(jobName);
    }

    var logLock = new object();
    using var log = new FileStream(executionLog, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
    var processor = new DelegateProcessor(async (item, cancel) =>
    {
        byte[] line = System.Text.Encoding.UTF8.GetBytes(item.Key + "\n");
        lock (logLock)
        {
            log.Write(line, 0, line.Length);
            log.Flush(); // on disk before the work: a kill after this line still counts as an execution
        }

        if (workMs > 0)
        {
            await Task.Delay(workMs, cancel);
        }

        return ItemResult.Success("done " + item.Key);
    });

    var runner = new BatchRunner(store, processor, options);
    BatchRunSummary summary = await runner.RunAsync(job, CancellationToken.None);
    Console.WriteLine($"run={summary.RunId} state={summary.State} succeeded={summary.Succeeded} failed={summary.Failed} remaining={summary.Remaining}");
    if (summary.Failure != null)
    {
        Console.Error.WriteLine(summary.Failure.GetException().ToString());
        return 3;
    }

    return summary.State == RunState.Completed ? 0 : 1;
}
catch (Exception e)
{
    Console.Error.WriteLine(e.ToString());
    return 2;
}
