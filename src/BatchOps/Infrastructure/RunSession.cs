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
using BatchOps.Engine.Errors;

namespace BatchOps.Infrastructure
{
    /// <summary>
    /// One run of a job in the module, shared by Start-BatchRun and its -AsJob so that both report a run the same way:
    /// the event channel, the runner, the process signals, the event pump (on the calling thread), the log, the summary
    /// and the run's failure as one ErrorRecord. The caller owns the store; the session owns the processor and the log.
    /// </summary>
    internal sealed class RunSession : IDisposable
    {
        private readonly IJobStore _store;
        private readonly IItemProcessor _processor;
        private readonly RunLogWriter? _log;
        private readonly TimeSpan _stopTimeout;
        private readonly Channel<RunEvent> _events = Channel.CreateUnbounded<RunEvent>(new UnboundedChannelOptions { SingleReader = true });
        private readonly CancellationTokenSource _cancel;
        private readonly bool _ownsCancel;
        private readonly BatchRunner _runner;

        /// <param name="store">The job's store, open for writing; the caller disposes it after the run.</param>
        /// <param name="processor">What runs each item; disposed when the run has ended.</param>
        /// <param name="options">The run's options, already checked (the cmdlet refuses bad ones before writing anything).</param>
        /// <param name="log">The run's log (-LogPath), or null; a log that cannot be written stops the run.</param>
        /// <param name="stopTimeout">After SIGTERM, SIGHUP or SIGINT, how long items in flight may take to finish.</param>
        /// <param name="cancel">Cancels the items in flight (the caller's, when it may cancel before the run starts); null: the session's own.</param>
        public RunSession(IJobStore store, IItemProcessor processor, RunOptions options, RunLogWriter? log, TimeSpan stopTimeout, CancellationTokenSource? cancel = null)
        {
            _ownsCancel = cancel == null;
            _cancel = cancel ?? new CancellationTokenSource();
            _store = store;
            _processor = processor;
            _log = log;
            _stopTimeout = stopTimeout;
            _runner = new BatchRunner(store, processor, options, _events.Writer);
            if (log != null)
            {
                log.Failed = _runner.Abort;
            }
        }

        /// <summary>Asks the run to stop gracefully (Stop-Job): items in flight finish, the rest go back to the queue.</summary>
        public void RequestStop() => _runner.RequestStop();

        /// <summary>
        /// Runs the job on a worker thread and writes its events to <paramref name="output"/> from the calling thread
        /// until it has ended (after its final checkpoint). Never throws for a run that failed: see the outcome's Error.
        /// </summary>
        /// <param name="interruptEndsProcess">Whether SIGINT should end the process (pwsh -File), or only stop the run.</param>
        public RunOutcome Run(BatchJob job, EnqueueResult? fed, IRunOutput output, bool interruptEndsProcess)
        {
            ProcessSignals signals = ProcessSignals.Watch(_runner.RequestStop, _cancel, _stopTimeout, interruptEndsProcess, say => _events.Writer.TryWrite(new RunWarningEvent { Message = say }));
            var pump = new RunEventPump(output, _log);
            var outcome = new RunOutcome();
            Task<BatchRunSummary> run = Task.Run(() => _runner.RunAsync(job, _cancel.Token, fed));
            try
            {
                pump.PumpUntil(_events.Reader, run);
            }
            finally
            {
                (_processor as IDisposable)?.Dispose();
                outcome.ExitCode = signals.Finish();
                outcome.PipelineStopped = pump.PipelineStopped;
            }

            try
            {
                outcome.Summary = run.GetAwaiter().GetResult();
            }
            catch (Exception e)
            {
                outcome.Error = Failure(pump.Verdict, job.Name, null, e);
                return outcome;
            }

            // The log gets its last line however the run ended, Ctrl+C included.
            outcome.Error = Failure(pump.Verdict, job.Name, outcome.Summary, outcome.Summary.Failure?.GetException());
            if (outcome.Error == null && !outcome.PipelineStopped)
            {
                outcome.Warning = RunVerdict.EarlierFailures(outcome.Summary); // the job as the run left it
            }

            return outcome;
        }

        /// <summary>
        /// The one place a run's failure becomes an ErrorRecord (and the log's last lines). With a summary, the verdict
        /// judges it (failed items, circuit breaker, a failure of the run itself); without one, the run could not start
        /// or broke: a BatchOps error keeps its ErrorId and category, anything else is RunFailed (InvalidOperation).
        /// </summary>
        private ErrorRecord? Failure(RunVerdict verdict, string job, BatchRunSummary? summary, Exception? failure)
        {
            if (summary != null)
            {
                return verdict.Finish(summary, failure, _log);
            }

            BatchOpsException error = failure as BatchOpsException ?? new BatchOpsException(
                ErrorIds.RunFailed,
                BatchOpsErrorCategory.InvalidOperation,
                $"The run of job '{job}' failed: {failure?.Message} The items it finished are recorded; run the same command again to resume.",
                job,
                failure);
            _log?.WriteError(error.Message);
            return ErrorRecords.From(error);
        }

        public void Dispose()
        {
            _log?.Dispose();
            if (_ownsCancel)
            {
                _cancel.Dispose();
            }
        }
    }
}
