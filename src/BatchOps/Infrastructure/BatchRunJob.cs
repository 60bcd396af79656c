using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using BatchOps.Engine;
using BatchOps.Engine.Reporting;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;

namespace BatchOps.Infrastructure
{
    /// <summary>
    /// A PowerShell job running one BatchOps run in the background (Start-BatchRun -AsJob). Receive-Job returns the
    /// run summary and the run's warnings, verbose lines and progress; Stop-Job stops the run gracefully: items in
    /// flight are finished, the rest go back to the queue, and the checkpoint is written before the job reports Stopped.
    /// The run itself is a <see cref="RunSession"/>, as for Start-BatchRun without -AsJob, so both report it alike.
    /// </summary>
    public sealed class BatchRunJob : Job, IRunOutput
    {
        private readonly IJobStore _store;
        private readonly RunSession _session;
        private readonly ManualResetEventSlim _finished = new ManualResetEventSlim(false);
        private string _status = "Starting";

        /// <param name="store">The store, handed over by the command: the job disposes it when the run has ended.</param>
        private BatchRunJob(string command, string name, IJobStore store, RunSession session)
            : base(command, name)
        {
            PSJobTypeName = "BatchOpsRun";
            _store = store;
            _session = session;
        }

        public override string StatusMessage => _status;

        public override bool HasMoreData => Output.Count > 0 || Error.Count > 0 || Warning.Count > 0 || Verbose.Count > 0 || Progress.Count > 0;

        public override string Location => Environment.MachineName;

        /// <summary>Starts the run on a worker thread as a job in <paramref name="jobs"/>; the job's state follows the run.</summary>
        internal static BatchRunJob Start(string command, JobRepository jobs, IJobStore store, RunSession session, BatchJob job, EnqueueResult? fed)
        {
            var background = new BatchRunJob(command, "BatchOps:" + job.Name, store, session);
            jobs.Add(background);
            background.SetJobState(JobState.Running);
            background._status = "Running";
            Task.Run(() => background.Run(job, fed));
            return background;
        }

        private void Run(BatchJob job, EnqueueResult? fed)
        {
            JobState final = JobState.Failed;
            int? exitCode = null;
            try
            {
                RunOutcome outcome = _session.Run(job, fed, this, interruptEndsProcess: false);
                exitCode = outcome.ExitCode;
                if (outcome.Summary is BatchRunSummary summary)
                {
                    Output.Add(PSObject.AsPSObject(summary));
                    _status = RunReport.Summary(summary);
                    final = summary.State == RunState.Stopped ? JobState.Stopped : JobState.Completed;
                }

                if (outcome.Error != null)
                {
                    Error.Add(outcome.Error);
                    _status = outcome.Summary == null ? outcome.Error.Exception.Message : _status;
                    final = JobState.Failed;
                }
                else if (outcome.Warning != null)
                {
                    Warning.Add(new WarningRecord(outcome.Warning));
                }
            }
            finally
            {
                _session.Dispose();
                _store.Dispose();

                // SIGTERM or SIGHUP, held back until this run wrote its checkpoint and log. Before the job reports its
                // end: a script waiting for it would otherwise go on, and could end PowerShell with its own code first.
                ProcessSignals.ExitIfAsked(exitCode, null);
                SetJobState(final);
                _finished.Set();
            }
        }

        public override void StopJob()
        {
            _status = "Stopping: finishing the items in flight";
            _session.RequestStop();
            _finished.Wait();
        }

        void IRunOutput.WriteVerbose(string text) => Verbose.Add(new VerboseRecord(text));

        void IRunOutput.WriteWarning(string text) => Warning.Add(new WarningRecord(text));

        void IRunOutput.WriteProgress(ProgressRecord record) => Progress.Add(record);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _finished.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
