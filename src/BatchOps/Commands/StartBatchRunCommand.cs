using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using BatchOps.Engine;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Reporting;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;
using BatchOps.Infrastructure;
using BatchOps.Processing;

namespace BatchOps.Commands
{
    [Cmdlet(VerbsLifecycle.Start, "BatchRun", DefaultParameterSetName = ScriptBlockSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(BatchRunSummary))]
    [OutputType(typeof(BatchRunJob))]
    public sealed class StartBatchRunCommand : RefusingCmdlet
    {
        private const string ScriptBlockSet = "ScriptBlock";
        private const string CommandSet = "Command";

        private readonly CancellationTokenSource _cancel = new CancellationTokenSource();
        private RunOptions? _options;
        private IJobStore? _store;
        private ItemFeeder? _feeder;
        private string? _commandPath;
        private string _location = "";
        private RunLogWriter? _log;
        private string? _logFolder;
        private RunSelection _selection = new RunSelection(null);

        // Asked once for the piped data (add and run), so that -WhatIf adds nothing and -Confirm asks once, not per item.
        private bool? _approved;

        [Parameter(Position = 0)]
        [ArgumentCompleter(typeof(JobNameCompleter))]
        public string Job { get; set; } = "";

        [Parameter(ValueFromPipeline = true)]
        public PSObject? InputObject { get; set; }

        [Parameter]
        public object? Key { get; set; }

        [Parameter(Position = 1, ParameterSetName = ScriptBlockSet)]
        public ScriptBlock? ScriptBlock { get; set; }

        [Parameter(ParameterSetName = ScriptBlockSet)]
        public Hashtable? Variable { get; set; }

        [Parameter(ParameterSetName = ScriptBlockSet)]
        public string[]? ImportModule { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = CommandSet)]
        public string Command { get; set; } = "";

        [Parameter(ParameterSetName = CommandSet)]
        public string[]? ArgumentList { get; set; }

        [Parameter]
        public int BatchSize { get; set; } = 5;

        [Parameter]
        public int ThrottleLimit { get; set; } = 5;

        [Parameter]
        [Duration]
        public TimeSpan BatchDelay { get; set; }

        [Parameter]
        public int RetryLimit { get; set; } = 3;

        [Parameter]
        [Duration]
        public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

        [Parameter]
        [Duration]
        public TimeSpan? ItemTimeout { get; set; }

        [Parameter]
        public double? RateLimit { get; set; }

        [Parameter]
        public double? TargetPercent { get; set; }

        [Parameter]
        public long? MaxItems { get; set; }

        [Parameter]
        [Duration]
        public TimeSpan? MaxDuration { get; set; }

        [Parameter]
        public string? Store { get; set; }

        [Parameter]
        public SwitchParameter AsJob { get; set; }

        [Parameter]
        public string? LogPath { get; set; }

        [Parameter]
        public double MaxMemoryPercent { get; set; } = 80;

        [Parameter]
        [Duration]
        public TimeSpan MemoryWait { get; set; } = TimeSpan.FromSeconds(5);

        [Parameter]
        [Duration]
        public TimeSpan RateLimitWait { get; set; } = TimeSpan.FromSeconds(10);

        [Parameter]
        [Duration]
        public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(5);

        [Parameter(ParameterSetName = CommandSet)]
        public int? RateLimitExitCode { get; set; }

        [Parameter]
        public int? KeepRuns { get; set; }

        [Parameter]
        public double? MaxFailureRatio { get; set; }

        [Parameter]
        public SwitchParameter Continuous { get; set; }

        [Parameter]
        [Duration]
        public TimeSpan DeepSleepAfter { get; set; } = TimeSpan.FromSeconds(300);

        [Parameter]
        public string[]? BackupPath { get; set; }

        [Parameter]
        public string? BackupDestination { get; set; }

        [Parameter]
        public int? BackupEvery { get; set; }

        [Parameter]
        [Duration]
        public TimeSpan? BackupInterval { get; set; }

        [Parameter]
        public SwitchParameter BackupFirst { get; set; }

        [Parameter]
        public string? ResultPath { get; set; }

        [Parameter]
        public string? BackupName { get; set; }

        [Parameter]
        public int? BackupKeep { get; set; }

        protected override void Begin()
        {
            try
            {
                // Without -Job a backup is named after the piped job, in End; this name only passes validation.
                _options = StartBatchRunOptions.Build(this, BackupName ?? (Job.Length > 0 ? Job : "vectorstore"), ResolveFileSystemPath);
                _options.Validate();
                _selection = new RunSelection(Job);
                if (_selection.Job != null)
                {
                    JobNames.Validate(Job);
                }
                else if (!HasInput)
                {
                    throw RunSelection.Missing();
                }

                if (LogPath != null)
                {
                    _logFolder = SessionState.Path.GetUnresolvedProviderPathFromPSPath(LogPath);
                    OpenLog();
                }

                _location = SessionState.Path.CurrentFileSystemLocation.ProviderPath;
                if (ParameterSetName == CommandSet)
                {
                    _commandPath = CommandResolver.Resolve(Command, _location);
                }
                else if (ScriptBlock == null)
                {
                    throw BatchOpsException.InvalidArgument(ErrorIds.ProcessorMissing, "Say what to do with each item: pass -ScriptBlock { ... } or -Command <program> -ArgumentList ... .", null);
                }
            }
            catch (BatchOpsException e)
            {
                ThrowTerminating(e);
            }

            // Without pipeline input the run resumes an existing job: never create a store or a job for that. With
            // input, a missing store is created by the first valid item, so refused input writes nothing at all.
            // Without -Job, the piped objects name the job (and their store): all of this waits for them.
            try
            {
                _feeder = new ItemFeeder(() => _store ??= OpenStore(StoreToUse, StoreAccess.ReadWrite), Job, Key);
                if (_selection.Job == null)
                {
                    return;
                }

                bool exists = JobStoreFactory.CheckLocation(ResolveStorePath(Store));
                if (exists || !HasInput)
                {
                    _store = OpenStore(Store, StoreAccess.ReadWriteExisting);
                }

                if (!HasInput)
                {
                    _store!.GetJob(Job);
                }
            }
            catch (BatchOpsException e)
            {
                ThrowTerminating(e);
            }
        }

        protected override void Process()
        {
            if (!HasInput)
            {
                return;
            }

            try
            {
                foreach (PSObject? element in ItemFeeder.Elements(InputObject, fromPipeline: MyInvocation.ExpectingInput))
                {
                    if (!_selection.Take(RunInput.Of(element)))
                    {
                        // A BatchOps object: it chose the job, or an item to run, and says which store it lives in.
                        if (_store != null && StoreToUse != null && !_selection.HasNewItems && _store.Location != ResolveStorePath(StoreToUse))
                        {
                            _store = null;
                        }

                        continue;
                    }

                    _approved ??= ShouldProcess($"job '{_selection.Job}'", "Add the piped items and run");
                    if (_approved == true)
                    {
                        _feeder!.Add(element, _selection.Job!);
                    }
                }
            }
            catch (BatchOpsException e)
            {
                ThrowTerminating(e);
            }
        }

        protected override void End()
        {
            EnqueueResult? fed = null;
            BatchJob job;
            try
            {
                if (_selection.Job == null)
                {
                    throw RunSelection.Missing(); // input came, but none of it named a job
                }

                if (_approved == false)
                {
                    return; // -WhatIf, or declined: nothing was added, nothing runs
                }

                fed = _feeder!.Complete();
                if (fed != null)
                {
                    WriteVerbose($"Job '{_selection.Job}': {fed.Added:N0} new item(s) added, {fed.AlreadyDone:N0} already done, {fed.AlreadyQueued:N0} already queued.");
                }

                if (NothingCameForANewJob())
                {
                    return;
                }

                _store ??= OpenStore(StoreToUse, StoreAccess.ReadWriteExisting); // empty input and no store yet
                job = _store.GetJob(_selection.Job);
                OpenLog();
                if (_options!.Backup != null && BackupName == null && Job.Length == 0)
                {
                    _options.Backup = StartBatchRunOptions.Backup(this, job.Name, ResolveFileSystemPath);
                    _options.Validate();
                }

                if (!ChooseWhatToRun(ref job))
                {
                    return;
                }
            }
            catch (BatchOpsException e)
            {
                ThrowTerminating(e);
                return;
            }

            IItemProcessor processor;
            try
            {
                processor = StartBatchRunOptions.Processor(this, _options!, _commandPath, _location);
            }
            catch (Exception e) when (e is RuntimeException || e is PSArgumentException)
            {
                ThrowTerminating(new BatchOpsException(
                    ErrorIds.ProcessorFailed,
                    BatchOpsErrorCategory.InvalidArgument,
                    $"The script block's runspaces could not be prepared: {e.Message} Check -ImportModule and -Variable.",
                    ScriptBlock,
                    e));
                return;
            }

            if (AsJob)
            {
                // The job outlives this command, so it gets a store connection (and the log) of its own.
                var job2 = new BatchRunJob(MyInvocation.Line, "BatchOps:" + job.Name, JobStoreFactory.Open(_store!.Location, StoreAccess.ReadWriteExisting), processor, _options!, _log, StopTimeout);
                _log = null;
                JobRepository.Add(job2);
                job2.Start(job, fed);
                WriteObject(job2);
                return;
            }

            var events = Channel.CreateUnbounded<RunEvent>(new UnboundedChannelOptions { SingleReader = true });
            var runner = new BatchRunner(_store, processor, _options!, events.Writer);
            if (_log != null)
            {
                _log.Failed = runner.Abort; // a log that cannot be written stops the run
            }

            var pump = new RunEventPump(new CmdletRunOutput(this), _log);
            ProcessSignals signals = ProcessSignals.Watch(runner.RequestStop, _cancel, StopTimeout, interruptEndsProcess: !ProcessSignals.InteractiveShell, say => events.Writer.TryWrite(new RunWarningEvent { Message = say }));
            Task<BatchRunSummary> run = Task.Run(() => runner.RunAsync(job, _cancel.Token, fed));
            int? exitCode = null; // 128 + the signal that stopped the run, when it should end the process
            try
            {
                pump.PumpUntil(events.Reader, run);
            }
            finally
            {
                (processor as IDisposable)?.Dispose();
                exitCode = signals.Finish();
            }

            BatchRunSummary summary;
            try
            {
                summary = run.GetAwaiter().GetResult();
            }
            catch (BatchOpsException e)
            {
                if (pump.PipelineStopped || exitCode != null)
                {
                    _log?.WriteError(e.Message);
                    ProcessSignals.ExitIfAsked(exitCode, _log);
                    return;
                }

                ThrowTerminating(e);
                return;
            }

            // The log gets its last line however the run ended, Ctrl+C included.
            ErrorRecord? failed = pump.Verdict.Finish(summary, runner.Failure, _log);
            if (exitCode != null)
            {
                // The console host also turns SIGINT into a pipeline stop: then nothing more may be written.
                if (!pump.PipelineStopped)
                {
                    WriteObject(summary);
                }

                ProcessSignals.ExitIfAsked(exitCode, _log);
            }

            if (pump.PipelineStopped)
            {
                return; // Ctrl+C: the run released its items and wrote its checkpoint; nothing more may be written
            }

            WriteVerbose(RunReport.Summary(summary));
            WriteObject(summary);
            if (failed != null)
            {
                // After the summary, non-terminating: $? is false, and -ErrorAction Stop makes it throw, so that
                // `pwsh -File job.ps1` run by a scheduler ends with a non-zero exit code.
                WriteError(failed);
            }
            else if (RunVerdict.EarlierFailures(summary, _store!) is string earlier)
            {
                WriteWarning(earlier);
            }
        }

        /// <summary>
        /// Piped BatchItem objects: exactly those run (reset first if finished, with -WhatIf/-Confirm). Otherwise the
        /// whole job, confirmed once unless the piped data already was. False: nothing to run.
        /// </summary>
        private bool ChooseWhatToRun(ref BatchJob job)
        {
            if (_selection.Chosen.Count == 0)
            {
                return _approved == true || ShouldProcess($"job '{job.Name}' ({job.Pending:N0} pending)", "Run");
            }

            List<string> keys = ChosenItems.Prepare(_store!, job, _selection.Chosen, new CmdletChosenItemsHost(this));
            if (keys.Count == 0)
            {
                return false;
            }

            _options!.ItemKeys = keys;
            _options.Validate();
            job = _store!.GetJob(job.Name); // the resets changed its counters
            return true;
        }

        /// <summary>-Store when given, else the store the piped objects came from, else the default.</summary>
        private string? StoreToUse => !string.IsNullOrWhiteSpace(Store) ? Store : _selection.Store;

        private void OpenLog()
        {
            if (_logFolder != null && _log == null && _selection.Job != null)
            {
                _log = new RunLogWriter(_logFolder, _selection.Job);
            }
        }

        /// <summary>Input came from the pipeline, or through -InputObject by name.</summary>
        /// <summary>
        /// A scheduled feed that found nothing this time (an empty folder) for a job that does not exist yet is not a
        /// failure: there is nothing to do. Says so in a warning; the script's exit code stays 0.
        /// </summary>
        private bool NothingCameForANewJob()
        {
            if (!MyInvocation.ExpectingInput || _selection.HasNewItems || _selection.Chosen.Count > 0)
            {
                return false;
            }

            string path = ResolveStorePath(StoreToUse);
            bool jobExists = JobStoreFactory.CheckLocation(path) && (_store ??= OpenStore(StoreToUse, StoreAccess.ReadWriteExisting)).FindJob(_selection.Job!) != null;
            if (!jobExists)
            {
                WriteWarning($"No items came through the pipeline, and there is no job '{_selection.Job}' in '{path}' yet: nothing to do.");
            }

            return !jobExists;
        }

        private bool HasInput => MyInvocation.ExpectingInput || MyInvocation.BoundParameters.ContainsKey(nameof(InputObject));

        /// <summary>A refused run is said in the log too, when there is one.</summary>
        protected override void OnRefused(BatchOpsException e) => _log?.WriteError(e.Message);

        protected override void StopProcessing()
        {
            // Ctrl+C, Stop-Job, a downstream Select-Object -First: cancel what is in flight; the runner releases it
            // and writes its final checkpoint before EndProcessing returns.
            _cancel.Cancel();
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _feeder?.Dispose();
                _cancel.Dispose();
                _log?.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
