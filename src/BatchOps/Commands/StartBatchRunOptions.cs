using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using BatchOps.Commands;
using BatchOps.Engine;
using BatchOps.Engine.Backup;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Running;
using BatchOps.Processing;
using BatchOps.Engine.Errors;

namespace BatchOps.Commands
{
    /// <summary>
    /// Start-BatchRun's parameters as the engine's RunOptions and processor. The parameter combinations are checked
    /// here, in parameter names; RunOptions.Validate judges the values themselves.
    /// </summary>
    internal static class StartBatchRunOptions
    {
        /// <summary>Refuses -Backup* parameters that do not go together: what to back up (-BackupPath and -BackupDestination) and when.</summary>
        public static void CheckCombinations(StartBatchRunCommand command)
        {
            bool what = command.BackupPath != null || command.BackupDestination != null;
            bool when = command.BackupEvery.HasValue || command.BackupInterval.HasValue || command.BackupFirst;
            if (!what && when)
            {
                throw BatchOpsException.InvalidArgument(ErrorIds.RunBackupInvalid, "-BackupEvery, -BackupInterval and -BackupFirst need -BackupPath (the vector store's files) and -BackupDestination (the folder for the backup sets).", command.BackupEvery ?? 0);
            }

            if (what && (command.BackupPath == null || command.BackupPath.Length == 0 || string.IsNullOrEmpty(command.BackupDestination)))
            {
                throw BatchOpsException.InvalidArgument(ErrorIds.RunBackupInvalid, "A run's backup needs both -BackupPath (the vector store's files) and -BackupDestination (the folder for the backup sets).", command.BackupDestination ?? "");
            }

            if (what && !when)
            {
                throw BatchOpsException.InvalidArgument(ErrorIds.RunBackupInvalid, "-BackupPath and -BackupDestination say what to back up, but not when: add -BackupEvery <batches>, -BackupInterval <time>, -BackupFirst, or several.", command.BackupDestination ?? "");
            }
        }

        /// <summary>Piped BatchItem objects run until they are done: refused with -Continuous, before any item is reset.</summary>
        public static void CheckChosenItems(StartBatchRunCommand command)
        {
            if (command.Continuous)
            {
                throw BatchOpsException.InvalidArgument(ErrorIds.ItemSelectionInvalid, "A run of chosen items (piped BatchItem objects) ends when they are done, so it cannot be -Continuous. Leave out -Continuous, or pipe the job instead of its items.", true);
            }
        }

        /// <summary>Without -Job and -BackupName, the run's backup sets are named after the piped job, once it is known.</summary>
        public static void NameBackupAfter(StartBatchRunCommand command, RunOptions options, string job)
        {
            if (options.Backup == null || command.BackupName != null || command.Job.Length > 0)
            {
                return;
            }

            if (!BackupRequest.IsValidName(job))
            {
                throw BatchOpsException.InvalidArgument(ErrorIds.BackupNameInvalid, $"The backup name '{job}' is not valid: use letters, digits, '.', '_' and '-', starting with a letter or digit (at most 100).", job);
            }

            options.Backup = options.Backup.Named(job);
        }

        /// <summary>The program of -Command, found now (null for -ScriptBlock); refuses a command with neither.</summary>
        public static string? CommandPath(StartBatchRunCommand command, bool commandSet, string location)
        {
            if (commandSet)
            {
                return CommandResolver.Resolve(command.Command, location);
            }

            if (command.ScriptBlock == null)
            {
                throw BatchOpsException.InvalidArgument(ErrorIds.ProcessorMissing, "Say what to do with each item: pass -ScriptBlock { ... } or -Command <program> -ArgumentList ... .", null);
            }

            return null;
        }

        /// <param name="command">The command, with its parameters bound.</param>
        /// <param name="backupName">The name of the run's backup sets (-BackupName, else the job's).</param>
        /// <param name="resolvePath">Resolves a path through the PowerShell provider: (path, parameter, error id).</param>
        public static RunOptions Build(StartBatchRunCommand command, string backupName, Func<string, string, string, string> resolvePath) => new RunOptions
        {
            BatchSize = command.BatchSize,
            ThrottleLimit = command.ThrottleLimit,
            BatchDelay = command.BatchDelay,
            RetryLimit = command.RetryLimit,
            RetryDelay = command.RetryDelay,
            ItemTimeout = command.ItemTimeout,
            RateLimit = command.RateLimit,
            TargetPercent = command.TargetPercent,
            MaxItems = command.MaxItems,
            KeepRuns = command.KeepRuns,
            MaxDuration = command.MaxDuration,
            MaxMemoryPercent = command.MaxMemoryPercent,
            MemoryWait = command.MemoryWait,
            RateLimitWait = command.RateLimitWait,
            StopTimeout = command.StopTimeout,
            MaxFailureRatio = command.MaxFailureRatio,
            Continuous = command.Continuous,
            DeepSleepAfter = command.DeepSleepAfter,
            Backup = Backup(command, backupName, resolvePath),
            BackupEvery = command.BackupEvery,
            BackupInterval = command.BackupInterval,
            BackupFirst = command.BackupFirst,
            ResultPath = command.ResultPath == null ? null : Engine.Reporting.ResultPathTemplate.Resolve(command.ResultPath, path => resolvePath(path, "-ResultPath", ErrorIds.ResultPathInvalid)),
        };

        /// <summary>What runs each item: the program of -Command (resolved to <paramref name="commandPath"/>), else the script block.</summary>
        public static IItemProcessor Processor(StartBatchRunCommand command, RunOptions options, string? commandPath, string location)
        {
            if (commandPath != null)
            {
                var program = new ExternalCommand(commandPath, command.ArgumentList ?? new string[0], location) { RateLimitExitCode = command.RateLimitExitCode };
                return new ExternalCommandProcessor(program, options.MaxResultLength);
            }

            try
            {
                // Only the block's text crosses to the runspaces that run it; $using: values are taken from here, now.
                (string script, Hashtable usingValues) = UsingVariables.Rewrite(command.ScriptBlock!, command.SessionState);
                return new ScriptBlockProcessor(script, location, command.Variable, command.ImportModule, usingValues);
            }
            catch (Exception e) when (e is RuntimeException || e is PSArgumentException)
            {
                throw new BatchOpsException(
                    ErrorIds.ProcessorFailed,
                    BatchOpsErrorCategory.InvalidArgument,
                    $"The script block's runspaces could not be prepared: {e.Message} Check -ImportModule and -Variable.",
                    command.ScriptBlock,
                    e);
            }
        }

        // -BackupPath and -BackupDestination go together (CheckCombinations).
        public static BackupRequest? Backup(StartBatchRunCommand command, string name, Func<string, string, string, string> resolvePath)
        {
            if (command.BackupPath == null && command.BackupDestination == null)
            {
                return null;
            }

            var paths = new List<string>();
            foreach (string path in command.BackupPath ?? new string[0])
            {
                paths.Add(resolvePath(path, "-BackupPath", ErrorIds.BackupSourceInvalid));
            }

            return new BackupRequest
            {
                Paths = paths,
                Destination = command.BackupDestination == null ? "" : resolvePath(command.BackupDestination, "-BackupDestination", ErrorIds.BackupDestinationInvalid),
                Name = name,
                Retention = command.BackupKeep.HasValue ? new RetentionPolicy { Keep = command.BackupKeep } : null,
            };
        }
    }
}
