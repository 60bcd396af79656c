using System;
using System.Collections;
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
    [Cmdlet(VerbsLifecycle.Start, "BatchRun", DefaultParameterSetName = ScriptBlockSet)]
    [OutputType(typeof(BatchRunSummary))]
    [OutputType(typeof(BatchRunJob))]
    public sealed class StartBatchRunCommand : RefusingCmdlet
    {
        private const string ScriptBlockSet = "ScriptBlock";
        private const string CommandSet = "Command";

        private readonly CancellationTokenSource _cancel = new CancellationTokenSource();
        private RunOptions? _options;
        private SqliteJobStore? _store;
        private ItemFeeder? _feeder;
        private string? _commandPath;
        private string _location = "";
        private RunLogWriter? _log;

        [Parameter(Mandatory = true, Position = 0)]
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

        [Parameter(ParameterSetName = CommandSet)]
        public int? RateLimitExitCode { get; set; }

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
        public SwitchParameter BackupFirst { get; set; }

        [Parameter]
        public string? BackupName { get; set; }

        [Parameter]
        public int? BackupKeep { get; set; }

        protected override void Begin()
        {
            try
            {
                _options = BuildOptions();
                _options.Validate();
                JobNames.Validate(Job);
                if (LogPath != null)
                {
                    _log = new RunLogWriter(SessionState.Path.GetUnresolvedProviderPathFromPSPath(LogPath), Job);
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
            try
            {
                bool exists = SqliteJobStore.CheckLocation(ResolveStorePath(Store));
                if (exists || !HasInput)
                {
                    _store = OpenStore(Store, StoreAccess.ReadWriteExisting);
                }

                _feeder = new ItemFeeder(() => _store ??= OpenStore(Store, StoreAccess.ReadWrite), Job, Key);
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
                _feeder!.AddInput(InputObject, fromPipeline: MyInvocation.ExpectingInput);
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
                fed = _feeder!.Complete();
                if (fed != null)
                {
                    WriteVerbose($"Job '{Job}': {fed.Added:N0} new item(s) added, {fed.AlreadyDone:N0} already done, {fed.AlreadyQueued:N0} already queued.");
                }

                _store ??= OpenStore(Store, StoreAccess.ReadWriteExisting); // empty input and no store yet
                job = _store.GetJob(Job);
            }
            catch (BatchOpsException e)
            {
                ThrowTerminating(e);
                return;
            }

            IItemProcessor processor;
            try
            {
                processor = CreateProcessor();
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
                var job2 = new BatchRunJob(MyInvocation.Line, "BatchOps:" + job.Name, SqliteJobStore.Open(_store!.Location, StoreAccess.ReadWriteExisting), processor, _options!, _log);
                _log = null;
                JobRepository.Add(job2);
                job2.Start(job, fed);
                WriteObject(job2);
                return;
            }

            var events = Channel.CreateUnbounded<RunEvent>(new UnboundedChannelOptions { SingleReader = true });
            var runner = new BatchRunner(_store, processor, _options!, events.Writer);
            var pump = new RunEventPump(new CmdletRunOutput(this), _log);
            Task<BatchRunSummary> run = Task.Run(() => runner.RunAsync(job, _cancel.Token, fed));
            try
            {
                pump.PumpUntil(events.Reader, run);
            }
            finally
            {
                (processor as IDisposable)?.Dispose();
            }

            BatchRunSummary summary;
            try
            {
                summary = run.GetAwaiter().GetResult();
            }
            catch (BatchOpsException e)
            {
                if (pump.PipelineStopped)
                {
                    _log?.WriteError(e.Message);
                    return;
                }

                ThrowTerminating(e);
                return;
            }

            // The log gets its last line however the run ended, Ctrl+C included.
            ErrorRecord? failed = pump.Verdict.Finish(summary, runner.Failure, _log);
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
        }

        private IItemProcessor CreateProcessor()
        {
            if (ParameterSetName == CommandSet)
            {
                var command = new ExternalCommand(_commandPath!, ArgumentList ?? new string[0], _location) { RateLimitExitCode = RateLimitExitCode };
                return new ExternalCommandProcessor(command, _options!.MaxResultLength);
            }

            // Only the block's text crosses to the runspaces that run it; $using: values are taken from here, now.
            (string script, Hashtable usingValues) = UsingVariables.Rewrite(ScriptBlock!, SessionState);
            return new ScriptBlockProcessor(script, _options!.ThrottleLimit, _location, Variable, ImportModule, usingValues);
        }

        /// <summary>Input came from the pipeline, or through -InputObject by name.</summary>
        private bool HasInput => MyInvocation.ExpectingInput || MyInvocation.BoundParameters.ContainsKey(nameof(InputObject));

        /// <summary>A refused run is said in the log too, when there is one.</summary>
        protected override void OnRefused(BatchOpsException e) => _log?.WriteError(e.Message);

        protected override void StopProcessing()
        {
            // Ctrl+C, Stop-Job, a downstream Select-Object -First: cancel what is in flight; the runner releases it
            // and writes its final checkpoint before EndProcessing returns.
            _cancel.Cancel();
        }

        private RunOptions BuildOptions() => new RunOptions
        {
            BatchSize = BatchSize,
            ThrottleLimit = ThrottleLimit,
            BatchDelay = BatchDelay,
            RetryLimit = RetryLimit,
            RetryDelay = RetryDelay,
            ItemTimeout = ItemTimeout,
            RateLimit = RateLimit,
            TargetPercent = TargetPercent,
            MaxItems = MaxItems,
            MaxDuration = MaxDuration,
            MaxMemoryPercent = MaxMemoryPercent,
            MemoryWait = MemoryWait,
            RateLimitWait = RateLimitWait,
            MaxFailureRatio = MaxFailureRatio,
            Continuous = Continuous,
            DeepSleepAfter = DeepSleepAfter,
            Backup = BuildBackup(),
            BackupEvery = BackupEvery,
            BackupFirst = BackupFirst,
        };

        // -BackupPath and -BackupDestination go together; either alone is refused by RunOptions.Validate.
        private Engine.Backup.BackupRequest? BuildBackup()
        {
            if (BackupPath == null && BackupDestination == null)
            {
                return null;
            }

            var paths = new System.Collections.Generic.List<string>();
            foreach (string path in BackupPath ?? new string[0])
            {
                paths.Add(ResolveFileSystemPath(path, "-BackupPath", ErrorIds.BackupSourceInvalid));
            }

            return new Engine.Backup.BackupRequest
            {
                Paths = paths,
                Destination = BackupDestination == null ? "" : ResolveFileSystemPath(BackupDestination, "-BackupDestination", ErrorIds.BackupDestinationInvalid),
                Name = BackupName ?? Job,
                Retention = BackupKeep.HasValue ? new Engine.Backup.RetentionPolicy { Keep = BackupKeep } : null,
            };
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _cancel.Dispose();
                _log?.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
