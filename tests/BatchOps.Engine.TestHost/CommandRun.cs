using System;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using BatchOps;
using BatchOps.Engine;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;

/// <summary>
/// A run whose items are an external program, for the tests that kill this process while its children work:
///   command-run &lt;store&gt; &lt;job&gt; &lt;items to feed&gt; &lt;throttle&gt; &lt;program&gt; [arguments...]
/// Feeds keys item-00000 .. (idempotently), runs the job with the program as -Command would, prints the summary and
/// what recovery said. Exit code 0 when the run completed.
/// </summary>
internal static class CommandRun
{
    public static async Task<int> RunAsync(string[] args)
    {
        string storePath = args[0];
        string jobName = args[1];
        int feed = int.Parse(args[2], CultureInfo.InvariantCulture);
        var options = new RunOptions
        {
            BatchSize = 1,
            ThrottleLimit = int.Parse(args[3], CultureInfo.InvariantCulture),
            RetryLimit = 10,
            RetryDelay = TimeSpan.Zero,
            MaxRetryDelay = TimeSpan.Zero,
        };
        string program = CommandResolver.Resolve(args[4], Environment.CurrentDirectory);
        var command = new ExternalCommand(program, args.Skip(5).ToArray(), Environment.CurrentDirectory);
        try
        {
            using var store = SqliteJobStore.Open(storePath);
            BatchJob job = store.GetOrCreateJob(jobName);
            if (feed > 0)
            {
                store.Enqueue(job, Enumerable.Range(0, feed).Select(i => new NewItem("item-" + i.ToString("D5", CultureInfo.InvariantCulture), null)).ToList());
                job = store.GetJob(jobName);
            }

            var events = System.Threading.Channels.Channel.CreateUnbounded<RunEvent>();
            var runner = new BatchRunner(store, new ExternalCommandProcessor(command), options, events.Writer);
            BatchRunSummary summary = await runner.RunAsync(job, CancellationToken.None);
            events.Writer.TryComplete();
            while (events.Reader.TryRead(out RunEvent? e))
            {
                if (e is RunsRecoveredEvent recovered)
                {
                    Console.WriteLine("recovered: " + recovered.Message);
                }
            }

            Console.WriteLine($"run={summary.RunId} state={summary.State} succeeded={summary.Succeeded} failed={summary.Failed} remaining={summary.Remaining}");
            return summary.State == RunState.Completed ? 0 : 1;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine(e.ToString());
            return 2;
        }
    }
}
