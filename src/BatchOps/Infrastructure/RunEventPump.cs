using System.Management.Automation;
using System.Threading.Channels;
using System.Threading.Tasks;
using BatchOps.Engine.Reporting;
using BatchOps.Engine.Running;

namespace BatchOps.Infrastructure
{
    /// <summary>Where a run's messages go: the pipeline (a cmdlet) or the streams of a background job.</summary>
    internal interface IRunOutput
    {
        void WriteVerbose(string text);

        void WriteWarning(string text);

        void WriteProgress(ProgressRecord record);
    }

    /// <summary>The running cmdlet's own streams; only its pipeline thread may use them.</summary>
    internal sealed class CmdletRunOutput : IRunOutput
    {
        private readonly Cmdlet _cmdlet;

        public CmdletRunOutput(Cmdlet cmdlet) => _cmdlet = cmdlet;

        public void WriteVerbose(string text) => _cmdlet.WriteVerbose(text);

        public void WriteWarning(string text) => _cmdlet.WriteWarning(text);

        public void WriteProgress(ProgressRecord record) => _cmdlet.WriteProgress(record);
    }

    /// <summary>
    /// Carries a run's events to an output. The engine raises them on worker threads; this reads them on one thread
    /// (for a cmdlet, the pipeline thread, the only one allowed to call WriteProgress, WriteVerbose and WriteWarning).
    /// </summary>
    internal sealed class RunEventPump
    {
        private const int ProgressId = 0x0BA7;

        private readonly IRunOutput _cmdlet;
        private readonly RunLogWriter? _log;
        private ProgressRecord? _progress;

        /// <param name="cmdlet">Where to write progress, verbose lines and warnings.</param>
        /// <param name="log">The run's log (-LogPath), written whatever happens to the pipeline.</param>
        public RunEventPump(IRunOutput cmdlet, RunLogWriter? log = null)
        {
            _cmdlet = cmdlet;
            _log = log;
        }

        /// <summary>Whether the run failed, from the events seen; written after the summary.</summary>
        public RunVerdict Verdict { get; } = new RunVerdict();

        /// <summary>True once the pipeline was stopped: nothing more can be written, but the run is still awaited.</summary>
        public bool PipelineStopped { get; private set; }

        /// <summary>Writes events until the run ends; returns when it has (after it wrote its final checkpoint).</summary>
        public void PumpUntil(ChannelReader<RunEvent> events, Task run)
        {
            while (true)
            {
                while (events.TryRead(out RunEvent? e))
                {
                    Write(e);
                }

                if (run.IsCompleted)
                {
                    while (events.TryRead(out RunEvent? e))
                    {
                        Write(e);
                    }

                    break;
                }

                Task.WaitAny(events.WaitToReadAsync().AsTask(), run);
            }

            if (_progress != null && !PipelineStopped)
            {
                _progress.RecordType = ProgressRecordType.Completed;
                Safely(() => _cmdlet.WriteProgress(_progress));
            }
        }

        private void Write(RunEvent e)
        {
            _log?.Write(e);
            Verdict.Observe(e);
            if (PipelineStopped)
            {
                return;
            }

            switch (e)
            {
                case RunStartedEvent started:
                    Safely(() => _cmdlet.WriteVerbose($"Run {started.RunId} of job '{started.Job}' started: {RunReport.Status(started.Progress)}."));
                    Progress(started.Progress);
                    break;
                case RunsRecoveredEvent recovered:
                    Safely(() => _cmdlet.WriteWarning(recovered.Message));
                    break;
                case BatchCompletedEvent batch:
                    Safely(() => _cmdlet.WriteVerbose(RunReport.BatchLine(batch)));
                    break;
                case ProgressEvent progress:
                    Progress(progress.Progress); // the engine sends a few a second at most: written as they come
                    break;
                case ItemFailedEvent failed:
                    Safely(() => _cmdlet.WriteWarning(RunReport.ItemFailed(failed)));
                    break;
                case ItemRetryingEvent retrying:
                    Safely(() => _cmdlet.WriteVerbose(RunReport.ItemRetrying(retrying)));
                    break;
                case RunWarningEvent warning:
                    Safely(() => _cmdlet.WriteWarning(warning.Unwritten is UnwrittenResults later
                        ? warning.Message + $" Export-BatchResult -Job '{later.Job}' -Run {later.RunId} -Batch {later.Batch} -PerBatch writes it."
                        : warning.Message));
                    break;
                case RunNoticeEvent notice:
                    Safely(() =>
                    {
                        string said = ErrorAdvice.ForNotice(notice.Kind) is string advice ? notice.Message + " " + advice : notice.Message;
                        if (notice.IsWarning)
                        {
                            _cmdlet.WriteWarning(said);
                        }
                        else
                        {
                            _cmdlet.WriteVerbose(said);
                        }

                        // The progress bar says what the run is doing now: paused, idle, asleep, backing up.
                        if (_progress != null)
                        {
                            _progress.CurrentOperation = notice.Message;
                            _cmdlet.WriteProgress(_progress);
                        }
                    });
                    break;
            }
        }

        private void Progress(ProgressSnapshot snapshot)
        {
            _progress ??= new ProgressRecord(ProgressId, RunReport.Activity(snapshot.Job, snapshot.RunId), "Starting");
            _progress.StatusDescription = RunReport.Status(snapshot);
            _progress.PercentComplete = RunReport.PercentForProgressBar(snapshot);
            _progress.SecondsRemaining = snapshot.Eta is System.TimeSpan eta ? (int)System.Math.Min(int.MaxValue, eta.TotalSeconds) : -1;
            Safely(() => _cmdlet.WriteProgress(_progress));
        }

        private void Safely(System.Action write)
        {
            try
            {
                write();
            }
            catch (PipelineStoppedException)
            {
                PipelineStopped = true;
            }
        }
    }
}
