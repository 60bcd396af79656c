using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using BatchOps;
using BatchOps.Engine.Storage;

/// <summary>
/// The store's share of a run, without the runner: one thread claims 1,000 items, then commits their 1,000 outcomes
/// (a batch record per <c>batchSize</c> items and the checkpoint, as the recorder does), until the job is drained.
/// Run CPU minus this is what the runner itself costs (threads, channels, the executor, events).
/// </summary>
internal static class StoreAlone
{
    /// <summary>Time in claims and in commits during the last measurement (Stopwatch ticks).</summary>
    public static long ClaimTicks, CommitTicks;

    public static (double Rate, double CpuMicroseconds) Measure(int items, int batchSize)
    {
        string folder = Path.Combine(Path.GetTempPath(), "batchops-store-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            using var store = SqliteJobStore.Open(Path.Combine(folder, "store.db"));
            BatchJob job = store.GetOrCreateJob("store");
            var list = new NewItem[items];
            for (int i = 0; i < items; i++)
            {
                list[i] = new NewItem("item-" + i.ToString(CultureInfo.InvariantCulture), "\"payload\"");
            }

            store.Enqueue(job, list);
            long runId = store.StartRun(job.Id, new RunStart { Host = "bench", OptionsJson = "{}" });
            TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            long batches = 0, done = 0;
            while (true)
            {
                long now = store.NowMs();
                long t0 = Stopwatch.GetTimestamp();
                ClaimResult claim = store.Claim(job.Id, runId, 1_000, now + 600_000, 4, includeExpired: false);
                ClaimTicks += Stopwatch.GetTimestamp() - t0;
                if (claim.Items.Count == 0)
                {
                    break;
                }

                var commit = new RunCommit { JobId = job.Id, RunId = runId };
                for (int i = 0; i < claim.Items.Count; i++)
                {
                    ClaimedItem item = claim.Items[i];
                    commit.Outcomes.Add(new ItemOutcome { ItemId = item.Id, LeaseToken = item.LeaseToken, LeasePosition = item.LeasePosition, Key = item.Key, Kind = OutcomeKind.Succeeded, Attempt = 1, StartedMs = now, FinishedMs = now, Batch = batches + 1 + (i / batchSize) });
                    if ((i + 1) % batchSize == 0 || i == claim.Items.Count - 1)
                    {
                        commit.Batches.Add(new BatchRecord { Number = ++batches, Items = (i % batchSize) + 1, Succeeded = (i % batchSize) + 1, StartedMs = now, CompletedMs = now });
                    }
                }

                commit.Checkpoint = new RunCheckpointUpdate { State = RunState.Running, BatchesStarted = batches, BatchesCompleted = batches, Claimed = done + claim.Items.Count };
                long t1 = Stopwatch.GetTimestamp();
                CommitResult result = store.Commit(commit);
                CommitTicks += Stopwatch.GetTimestamp() - t1;
                done += Array.FindAll(result.Accepted, a => a).Length;
            }

            clock.Stop();
            cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            if (done != items)
            {
                throw new InvalidOperationException($"The store alone finished {done} of {items} items.");
            }

            return (items / clock.Elapsed.TotalSeconds, cpu.TotalMilliseconds * 1000 / items);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
