using System;
using System.Threading;
using System.Threading.Tasks;
using BatchOps.Engine.Storage;
using BatchOps.Engine.Errors;
using BatchOps.Engine.Platform;

namespace BatchOps.Engine.Running
{
    /// <summary>
    /// Waits until a job meets a condition (to notify someone when a job is half done, say), reading the job's counters
    /// every poll interval. Ends early, with a JobTargetUnreachable error, when the job has nothing left to run and
    /// the condition is still not met.
    /// </summary>
    public sealed class JobWaiter
    {
        private readonly IJobStore _store;
        private readonly TimeProvider _time;

        public JobWaiter(IJobStore store)
            : this(store, null)
        {
        }

        /// <summary>With a clock of one's own (tests). The cmdlets use the overload without one, see SqliteJobStore.Open.</summary>
        public JobWaiter(IJobStore store, TimeProvider? time)
        {
            _store = store;
            _time = time ?? TimeProvider.System;
        }

        /// <summary>How often the counters are read while waiting.</summary>
        public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

        /// <param name="jobName">The job to watch.</param>
        /// <param name="condition">What to wait for.</param>
        /// <param name="timeout">How long to wait at most; null for no limit.</param>
        /// <param name="onPoll">Called with the job after each read (progress for the caller).</param>
        /// <param name="cancellationToken">Ends the wait (Ctrl+C).</param>
        public async Task<BatchJob> WaitAsync(string jobName, JobCondition condition, TimeSpan? timeout, Action<BatchJob>? onPoll, CancellationToken cancellationToken)
        {
            condition.Validate();
            if (timeout is TimeSpan limit && limit < TimeSpan.Zero)
            {
                throw BatchOpsException.InvalidArgument(ErrorIds.TimeoutInvalid, $"Timeout must be 0 or more; it was {Wording.Seconds(limit)} seconds.", limit);
            }

            long started = _time.GetTimestamp();
            while (true)
            {
                BatchJob job = _store.GetJob(jobName);
                onPoll?.Invoke(job);
                if (condition.IsMet(job))
                {
                    return job;
                }

                if (condition.Unreachable(job) is string why)
                {
                    throw new BatchOpsException(ErrorIds.JobTargetUnreachable, BatchOpsErrorCategory.InvalidResult, why, jobName);
                }

                TimeSpan wait = PollInterval;
                if (timeout is TimeSpan max)
                {
                    TimeSpan left = max - _time.GetElapsedTime(started);
                    if (left <= TimeSpan.Zero)
                    {
                        string working = RunRecovery.LiveRuns(_store, job.Id, RunHost.Current).Count == 0 ? " No run is working on it now." : "";
                        throw new BatchOpsException(
                            ErrorIds.WaitTimedOut,
                            BatchOpsErrorCategory.OperationTimeout,
                            $"Job '{job.Name}' did not reach '{condition.Describe()}' within {Wording.Duration(max)}: {Wording.JobStatus(job)}.{working}",
                            jobName);
                    }

                    // The last look falls on the deadline, not a whole poll interval after it.
                    wait = left < wait ? left : wait;
                }

                await _time.Delay(wait, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
