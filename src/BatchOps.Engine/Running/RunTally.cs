using System;
using System.Diagnostics;
using System.Threading;

namespace BatchOps.Engine.Running
{
    /// <summary>
    /// The counts of one run: what is held (claimed, not yet handed to the recorder), claimed, succeeded, failed; the
    /// rate and the progress snapshot built from them; and the summary's numbers at the end.
    /// </summary>
    /// <remarks>
    /// Fields, not properties: workers and the dispatcher change them with Interlocked on the hot path. Succeeded is
    /// written by the recorder alone; the others by several threads.
    /// </remarks>
    internal sealed class RunTally
    {
        /// <summary>Items claimed and not yet handed to the recorder.</summary>
        public long Held;

        /// <summary>Items this run claimed.</summary>
        public long Claimed;

        /// <summary>Items the workers finished as succeeded (handed over, maybe not committed yet): the target counts them.</summary>
        public long LocalSucceeded;

        /// <summary>Succeeded outcomes committed (the recorder's count).</summary>
        public long Succeeded;

        /// <summary>Failed outcomes committed, and items given up as abandoned.</summary>
        public long Failed;

        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly ProgressCalculator _progress;

        public RunTally(long startMs)
        {
            _progress = new ProgressCalculator(startMs);
        }

        /// <summary>Succeeded plus failed, as committed.</summary>
        public long Processed => Interlocked.Read(ref Succeeded) + Interlocked.Read(ref Failed);

        /// <summary>Notes the processed count for the rate (the recorder, after each commit).</summary>
        public void RecordRate(long nowMs) => _progress.Record(nowMs, Processed);

        /// <summary>Where the run stands, for progress events: the job's counters as last read, the rate, the ETA.</summary>
        public ProgressSnapshot Snapshot(RunContext run)
        {
            long now = run.Store.NowMs();
            BatchJob job = run.Live.Current;
            long processed = Processed;
            double rate = _progress.Rate(now, processed);
            return new ProgressSnapshot
            {
                Job = run.Job.Name,
                RunId = run.RunId,
                Total = job.Total,
                Succeeded = job.Succeeded,
                Failed = job.Failed,
                Remaining = job.Remaining,
                RunProcessed = processed,
                BatchesCompleted = run.Tracker.Completed,
                ItemsPerSecond = rate,
                Eta = ProgressCalculator.Eta(rate, job.Remaining),
                Elapsed = _clock.Elapsed,
            };
        }

        /// <summary>The run's summary: this run's counts, the job's as <paramref name="after"/> gives them (null: the job is gone).</summary>
        public BatchRunSummary Summary(RunContext run, RunState state, StopReason reason, BatchJob? after, EnqueueResult? input, string? message, Exception? failure)
        {
            TimeSpan duration = _clock.Elapsed;
            long failed = Interlocked.Read(ref Failed);
            return new BatchRunSummary
            {
                Job = run.Job.Name,
                RunId = run.RunId,
                State = state,
                StopReason = reason,
                Total = after?.Total ?? 0,
                Added = input?.Added ?? 0,
                Skipped = input?.AlreadyDone ?? 0,
                Succeeded = Succeeded,
                Failed = failed,
                Remaining = after?.Remaining ?? 0,
                JobFailed = after?.Failed ?? 0,
                Batches = run.Tracker.Completed,
                Duration = duration,
                ItemsPerSecond = duration.TotalSeconds > 0 ? (Succeeded + failed) / duration.TotalSeconds : 0,
                PercentComplete = after?.PercentComplete ?? 0,
                Message = message,
                Store = run.Store.Location,
                Failure = failure == null ? null : new RunFailure(failure),
            };
        }
    }
}
