using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using BatchOps.Engine;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Reporting;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;
using BatchOps.Infrastructure;
using BatchOps.Engine.Errors;

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
        private BatchJob? _job;
        private string? _missingStore; // the store path this call found without a file
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
                StartBatchRunOptions.CheckCombinations(this);

                // Without -Job a backup is named after the piped job, in End; this name only passes validation.
                _options = StartBatchRunOptions.Build(this, BackupName ?? (Job.Length > 0 ? Job : "vectorstore"), ResolveFileSystemPath);
                _options.Validate(); // once, before anything is written; End checks only what it adds
                _selection = RunSelection.For(Job, HasInput);

                if (LogPath != null)
                {
                    _logFolder = ResolveFileSystemPath(LogPath, "-LogPath", ErrorIds.LogPathInvalid);
                    OpenLog();
                }

                _location = SessionState.Path.CurrentFileSystemLocation.ProviderPath;
                _commandPath = StartBatchRunOptions.CommandPath(this, ParameterSetName == CommandSet, _location);
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
                _feeder = new ItemFeeder(() => RunStore(StoreAccess.ReadWrite), Job, Key);
                if (_selection.Job == null)
                {
                    return;
                }

                if (!HasInput)
                {
                    _job = RunStore(StoreAccess.ReadWriteExisting).GetJob(Job); // read once: End runs it as it is
                }
                else if (StoreExists())
                {
                    RunStore(StoreAccess.ReadWriteExisting); // a damaged or newer store is refused before the input is read
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
            IItemProcessor processor;
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

                if (!(ReadJob() is BatchJob found))
                {
                    return;
                }

                job = found;
                OpenLog();
                StartBatchRunOptions.NameBackupAfter(this, _options!, job.Name);

                if (!ChooseWhatToRun(job))
                {
                    return;
                }

                processor = StartBatchRunOptions.Processor(this, _options, _commandPath, _location);
            }
            catch (BatchOpsException e)
            {
                ThrowTerminating(e);
                return;
            }

            var session = new RunSession(_store!, processor, _options!, _log, StopTimeout, AsJob ? null : _cancel);
            _log = null; // the session writes and closes it
            if (AsJob)
            {
                HandOver(_store!); // the job outlives this command: it takes the store (and the log) and closes them
                WriteObject(BatchRunJob.Start(MyInvocation.Line, JobRepository, _store!, session, job, fed));
                return;
            }

            using (session)
            {
                session.Run(job, fed, new CmdletRunOutput(this), interruptEndsProcess: !ProcessSignals.InteractiveShell).WriteTo(this, session);
            }
        }

        /// <summary>
        /// Piped BatchItem objects: exactly those run (reset first if finished, with -WhatIf/-Confirm). Otherwise the
        /// whole job, confirmed once unless the piped data already was. False: nothing to run.
        /// </summary>
        private bool ChooseWhatToRun(BatchJob job)
        {
            if (_selection.Chosen.Count == 0)
            {
                return _approved == true || ShouldProcess($"job '{job.Name}' ({job.Pending:N0} pending)", "Run");
            }

            StartBatchRunOptions.CheckChosenItems(this); // before any item is reset
            List<string> keys = ChosenItems.Prepare(_store!, job, _selection.Chosen, new CmdletChosenItemsHost(this));
            if (keys.Count == 0)
            {
                return false;
            }

            _options!.ItemKeys = keys; // the runner reads the job's counters (changed by the resets) as it starts
            return true;
        }

        /// <summary>
        /// The job, read once before the run (in Begin when nothing is piped). Null, with a warning, for a scheduled feed
        /// that found nothing (an empty folder) for a job that does not exist yet: nothing to do, and no failure.
        /// </summary>
        private BatchJob? ReadJob()
        {
            if (_job != null)
            {
                return _job;
            }

            if (!MyInvocation.ExpectingInput || _selection.HasNewItems || _selection.Chosen.Count > 0)
            {
                return RunStore(StoreAccess.ReadWriteExisting).GetJob(_selection.Job!);
            }

            BatchJob? existing = _store != null || StoreExists() ? RunStore(StoreAccess.ReadWriteExisting).FindJob(_selection.Job!) : null;
            if (existing == null)
            {
                WriteWarning($"No items came through the pipeline, and there is no job '{_selection.Job}' in '{ResolveStorePath(StoreToUse)}' yet: nothing to do.");
            }

            return existing;
        }

        /// <summary>The run's store, opened once per call (the one place this command opens it); ReadWrite creates it.</summary>
        private IJobStore RunStore(StoreAccess access) => _store ??= OpenStore(StoreToUse, access);

        /// <summary>Whether the run's store file exists (its folder must); nothing is created or opened. Looked at once per path.</summary>
        private bool StoreExists()
        {
            string path = ResolveStorePath(StoreToUse);
            if (path == _missingStore || !JobStoreFactory.CheckLocation(path))
            {
                _missingStore = path;
                return false;
            }

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
        private bool HasInput => MyInvocation.ExpectingInput || MyInvocation.BoundParameters.ContainsKey(nameof(InputObject));

        /// <summary>A refused run is said in the log too, when there is one.</summary>
        protected override void OnRefused(BatchOpsException e) => _log?.WriteError(e.Message);

        /// <summary>Ctrl+C, a downstream Select-Object -First: the run releases what is in flight and writes its checkpoint.</summary>
        protected override void StopProcessing() => _cancel.Cancel();

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
