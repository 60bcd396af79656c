using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using BatchOps.Engine;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Reporting;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;

namespace BatchOps.Infrastructure
{
    /// <summary>
    /// A PowerShell job running one BatchOps run in the background (Start-BatchRun -AsJob). Receive-Job returns the
    /// run summary and the run's warnings, verbose lines and progress; Stop-Job stops the run gracefully: items in
    /// flight are finished, the rest go back to the queue, and the checkpoint is written before the job reports Stopped.
    /// </summary>
    public sealed class BatchRunJob : Job, IRunOutput
    {
        private readonly IJobStore _store;
        private readonly IItemProcessor _processor;
        private readonly RunLogWriter? _log;
        private readonly BatchRunner _runner;
        private readonly ManualResetEventSlim _finished = new ManualResetEventSlim(false);
        private readonly CancellationTokenSource _cancel = new CancellationTokenSource();
        private readonly TimeSpan _stopTimeout;
        private string _status = "Starting";

        internal BatchRunJob(string command, string name, IJobStore store, IItemProcessor processor, RunOptions options, RunLogWriter? log, TimeSpan stopTimeout)
            : base(command, name)
        {
            _stopTimeout = stopTimeout;
            PSJobTypeName = "BatchOpsRun";
            _store = store;
            _processor = processor;
            _log = log;
            Events = Channel.CreateUnbounded<RunEvent>(new UnboundedChannelOptions { SingleReader = true });
            _runner = new BatchRunner(store, processor, options, Events.Writer);
        }

        private Channel<RunEvent> Events { get; }

        public override string StatusMessage => _status;

        public override bool HasMoreData => Output.Count > 0 || Error.Count > 0 || Warning.Count > 0 || Verbose.Count > 0 || Progress.Count > 0;

        public override string Location => Environment.MachineName;

        /// <summary>Starts the run on a worker thread; the job's state follows it.</summary>
        internal void Start(BatchJob job, EnqueueResult? fed)
        {
            SetJobState(JobState.Running);
            _status = "Running";
            Task.Run(() => RunAsync(job, fed));
        }

        private async Task RunAsync(BatchJob job, EnqueueResult? fed)
        {
            JobState final = JobState.Failed;
            ProcessSignals signals = ProcessSignals.Watch(_runner.RequestStop, _cancel, _stopTimeout, interruptEndsProcess: false, say => Events.Writer.TryWrite(new RunWarningEvent { Message = say }));
            if (_log != null)
            {
                _log.Failed = _runner.Abort; // a log that cannot be written stops the run
            }

            try
            {
                Task<BatchRunSummary> run = _runner.RunAsync(job, _cancel.Token, fed);
                var pump = new RunEventPump(this, _log);
                pump.PumpUntil(Events.Reader, run);
                BatchRunSummary summary = await run.ConfigureAwait(false);
                ErrorRecord? failed = pump.Verdict.Finish(summary, summary.Failure?.GetException(), _log); // as Start-BatchRun without -AsJob
                Output.Add(PSObject.AsPSObject(summary));
                _status = RunReport.Summary(summary);
                if (failed != null)
                {
                    Error.Add(failed);
                    final = JobState.Failed;
                }
                else
                {
                    if (RunVerdict.EarlierFailures(summary, _store) is string earlier)
                    {
                        Warning.Add(new WarningRecord(earlier));
                    }

                    final = summary.State == RunState.Stopped ? JobState.Stopped : JobState.Completed;
                }
            }
            catch (BatchOpsException e)
            {
                _log?.WriteError(e.Message);
                Error.Add(ErrorRecords.From(e, "Start-BatchRun"));
                _status = e.Message;
            }
            finally
            {
                (_processor as IDisposable)?.Dispose();
                _log?.Dispose();
                _store.Dispose();

                // SIGTERM or SIGHUP, held back until this run wrote its checkpoint and log. Before the job reports its
                // end: a script waiting for it would otherwise go on, and could end PowerShell with its own code first.
                ProcessSignals.ExitIfAsked(signals.Finish(), null);
                SetJobState(final);
                _finished.Set();
            }
        }

        public override void StopJob()
        {
            _status = "Stopping: finishing the items in flight";
            _runner.RequestStop();
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
                _cancel.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
