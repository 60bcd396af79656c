using System;
using System.Collections;
using System.Collections.Generic;
using BatchOps.Commands;
using BatchOps.Engine;
using BatchOps.Engine.Backup;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Running;
using BatchOps.Processing;

namespace BatchOps.Infrastructure
{
    /// <summary>Start-BatchRun's parameters as the engine's RunOptions (RunOptions.Validate judges them) and processor.</summary>
    internal static class StartBatchRunOptions
    {
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

            // Only the block's text crosses to the runspaces that run it; $using: values are taken from here, now.
            (string script, Hashtable usingValues) = UsingVariables.Rewrite(command.ScriptBlock!, command.SessionState);
            return new ScriptBlockProcessor(script, location, command.Variable, command.ImportModule, usingValues);
        }

        // -BackupPath and -BackupDestination go together; either alone is refused by RunOptions.Validate.
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
