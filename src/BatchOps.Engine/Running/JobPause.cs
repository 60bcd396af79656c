using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using BatchOps.Engine.Storage;
using BatchOps.Engine.Platform;

namespace BatchOps.Engine.Running
{
    /// <summary>
    /// Holds a job still while its vector store is restored (Watch-BatchHealth -AutoRestore): asks each of the job's
    /// live runs, in any process, to suspend as Suspend-BatchRun does (they finish and record what is in flight), waits
    /// until they say Suspended, and on Dispose resumes the runs it suspended. A run that was suspended already is left
    /// suspended; a run that does not go quiet within the patience is named in <see cref="NotQuiet"/>.
    /// </summary>
    public sealed class JobPause : IDisposable
    {
        private readonly IJobStore _store;
        private readonly List<long> _suspended = new List<long>();
        private bool _disposed;

        private JobPause(IJobStore store)
        {
            _store = store;
        }

        /// <summary>The runs this pause suspended (and resumes).</summary>
        public IReadOnlyList<long> Suspended => _suspended;

        /// <summary>Runs asked to suspend that had not said so when the patience ran out.</summary>
        public IReadOnlyList<long> NotQuiet { get; private set; } = Array.Empty<long>();

        public static JobPause Suspend(IJobStore store, BatchJob job, TimeSpan patience, CancellationToken cancellationToken = default)
        {
            var pause = new JobPause(store);
            foreach (RunRecord run in RunRecovery.LiveRuns(store, job.Id, RunHost.Current))
            {
                BatchRun? seen = store.GetRuns(job, new RunQuery { Ids = new[] { run.Id } }).FirstOrDefault();
                if (seen == null || seen.Activity == RunActivity.Suspended)
                {
                    continue; // suspended by someone else: theirs to resume
                }

                if (store.RequestSuspend(run.Id, true))
                {
                    pause._suspended.Add(run.Id);
                }
            }

            // A run reads its requests about once a second and first finishes what it has in flight.
            var clock = Stopwatch.StartNew();
            List<long> waiting = pause._suspended.ToList();
            while (waiting.Count > 0 && clock.Elapsed < patience && !cancellationToken.IsCancellationRequested)
            {
                var runs = store.GetRuns(job, new RunQuery { Ids = waiting });
                waiting = runs.Where(r => r.State == RunState.Running && r.Activity != RunActivity.Suspended).Select(r => r.RunId).ToList();
                if (waiting.Count > 0)
                {
                    cancellationToken.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(100));
                }
            }

            pause.NotQuiet = waiting;
            return pause;
        }

        /// <summary>Resumes the runs this pause suspended.</summary>
        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (long run in _suspended)
            {
                _store.RequestSuspend(run, false);
            }
        }
    }
}
