using System.Collections.Generic;
using BatchOps.Engine;
using BatchOps;
using BatchOps.Engine.Errors;

namespace BatchOps.Infrastructure
{
    /// <summary>
    /// What to do about an engine error, in PowerShell's words (cmdlets, parameters), by ErrorId. The engine says
    /// what happened, with its data; the advice is added here, once, as the ErrorRecord's RecommendedAction, which the
    /// console shows under the message ("Recommendation: ...").
    /// </summary>
    /// <remarks>
    /// One ErrorId has one piece of advice. Where a command names the same thing with another parameter (a run's
    /// backup is -BackupPath / -BackupDestination, Backup-VectorStore's is -Path / -Destination), the command's own
    /// entry in <see cref="ByCommand"/> wins over the general one.
    /// </remarks>
    internal static class ErrorAdvice
    {
        private const string DamagedSet =
            "Test-VectorStoreBackup lists every problem of the set; restore an older set (Get-VectorStoreBackup lists them).";

        private static readonly Dictionary<string, string> Table = new Dictionary<string, string>
        {
            // The store.
            [ErrorIds.StoreNotFound] =
                "Pass -Store with your store (a file path, or a PostgreSQL URI or connection string), set $env:BATCHOPS_STORE, or run the command in the folder that holds batchops.db. Start-BatchRun and Add-BatchItem create a store (a file, or the schema batchops in a PostgreSQL database).",
            [ErrorIds.StoreFolderNotFound] =
                "Create the folder first (New-Item -ItemType Directory -Path <folder>), or pass -Store with a path in an existing folder.",
            [ErrorIds.StorePathInvalid] =
                "Pass -Store with the path of a file, such as ./batchops.db.",
            [ErrorIds.StoreLink] =
                "Pass -Store with the real path of your store, or fix the link.",
            [ErrorIds.StoreReadOnly] =
                "Give yourself write access to the store file and its folder, or copy the store to a folder you can write and pass -Store with the copy's path.",
            [ErrorIds.StoreNotSqlite] =
                "Pass -Store with a new file name, or with an existing BatchOps store.",
            [ErrorIds.StoreNotBatchOps] =
                "Pass -Store with a new file name, or with an existing BatchOps store.",
            [ErrorIds.StoreSchemaTooNew] =
                "Update the BatchOps module (Update-Module BatchOps) to use this store.",
            [ErrorIds.StoreUpgradeNeeded] =
                "Run any command that writes to the store (Add-BatchItem, Start-BatchRun) once; it upgrades the store.",
            [ErrorIds.StoreBusy] =
                "Run the command again when the other writer ends (Get-BatchRun shows the runs in progress).",
            [ErrorIds.StoreDiskFull] =
                "Free space on that disk (Get-PSDrive shows it), or move the store to a bigger one (Backup-VectorStore -Path <store>, then -Store <new path>); then run the same Start-BatchRun again: it resumes.",
            [ErrorIds.StoreAddressInvalid] =
                "Pass -Store (or set $env:BATCHOPS_STORE) with a URI such as postgresql://user@host:5432/database or a connection string such as 'Host=host;Database=database;Username=user'.",
            [ErrorIds.StoreUnreachable] =
                "Check the host name and port in -Store, that the server runs and accepts connections from this machine (listen_addresses, pg_hba.conf, the firewall); then run the command again.",
            [ErrorIds.StoreLoginFailed] =
                "Check the user name in -Store and its password: in $env:PGPASSWORD or the .pgpass file (PGPASSFILE), rather than in the store string.",
            [ErrorIds.StoreAccessDenied] =
                "Ask the database's owner to create the store once (any BatchOps command that writes, run by a user who may create schemas), or to grant your user the rights on the schema batchops.",
            [ErrorIds.StoreDamaged] =
                "Copy the store aside, then rebuild it: sqlite3 <store> .recover | sqlite3 <new store>, and pass -Store <new store>; or Restore-VectorStore a backup set of the store.",

            // Jobs, items, input.
            [ErrorIds.JobNotFound] =
                "Check the name (Get-BatchJob lists the jobs of a store), or pass -Store with the store that holds the job. Add-BatchItem, or items piped to Start-BatchRun, create a job.",
            [ErrorIds.JobBusy] =
                "Stop the run first (Stop-BatchRun -Job <job>), or pass -Force if you are sure it is gone.",
            [ErrorIds.JobExists] =
                "Pass -Force to replace that job, -DestinationJob with another name, or remove it first (Remove-BatchJob -Job <job> -Store <destination>).",
            [ErrorIds.JobCopyToItself] =
                "Pass -DestinationJob with another name, or -Destination with another store.",
            [ErrorIds.JobNameInvalid] =
                "Pass -Job with a printable name such as 'embed-chunks'.",
            [ErrorIds.KeyPropertyNotFound] =
                "Pass -Key with one of the object's properties, or a script block such as -Key { $_.Path }.",
            [ErrorIds.KeyNotInferable] =
                "Pass -Key with the property that identifies each item (for example -Key Sku), or a script block (-Key { $_.Path }).",
            [ErrorIds.KeyTooLong] =
                "Use a shorter identifier as the key (-Key) and keep the data in the payload.",
            [ErrorIds.KeyInvalid] =
                "Clean the input, or pass -Key with a property or script block that gives printable keys.",
            [ErrorIds.KeyEmpty] =
                "Check the input, or pass -Key with a property that is always set.",
            [ErrorIds.PayloadNotSerializable] =
                "Pipe smaller or plainer objects (Select-Object the properties the processor needs), or a path to the data.",
            [ErrorIds.CommandNotFound] =
                "Pass -Command with the program to run for each item, such as 'python3': a name on PATH, or its path.",
            [ErrorIds.JobTargetUnreachable] =
                "Reset the failed items (Get-BatchItem -Job <job> -Status Failed | Reset-BatchItem) and run the job again.",

            // Runs and their log.
            [ErrorIds.WaitTimedOut] =
                "Wait longer (-Timeout), or see where the job stands (Get-BatchCheckpoint) and start a run if none is working on it (Start-BatchRun).",
            [ErrorIds.RunNotActive] =
                "Get-BatchRun -Job <job> shows its runs; start one with Start-BatchRun.",
            [ErrorIds.HealthIntervalInvalid] =
                "Pass -Interval with more than 0 and at most 86400 seconds, for example 30.",
            [ErrorIds.RunCircuitBroken] =
                "See the failures with Get-BatchItem -Job <job> -Status Failed, fix the cause, then run the same Start-BatchRun again; -MaxFailureRatio sets how many failures stop a run.",
            [ErrorIds.LogPathInvalid] =
                "Pass -LogPath with a folder in the file system, such as ./logs.",
            [ErrorIds.LogDiskFull] =
                "Free space on that disk, or pass -LogPath with a folder on another disk; then run the same Start-BatchRun again: it resumes.",
            [ErrorIds.MemoryWaitInvalid] =
                "Pass -MemoryWait with a duration from 0 to 1 hour, for example 5 (seconds).",
            [ErrorIds.PollIntervalInvalid] =
                "Pass -PollInterval with a duration of more than 0 and at most 1 hour, for example 2 (seconds).",

            // Health.
            [ErrorIds.HealthCountInvalid] =
                "Pass -Count with 1 or more samples, or leave it out to watch until stopped (Ctrl+C).",
            [ErrorIds.AutoRestoreInvalid] =
                "Pass -VectorStorePath (the files to watch) and -BackupDestination (the folder of their backup sets) with -AutoRestore.",
            [ErrorIds.VectorStorePathInvalid] =
                "Pass -VectorStorePath with the vector store's files or folders in the file system.",
            [ErrorIds.AutoRestoreFailed] =
                "Pass -BackupName to pick the store's own sets, or restore by hand: Get-VectorStoreBackup -Destination <folder>, then Restore-VectorStore.",

            // Vector store backups.
            [ErrorIds.BackupSourceNotFound] =
                "Pass -Path with the vector store's files or folders (e.g. faiss_index.bin, document_data.pkl).",
            [ErrorIds.BackupSourceInvalid] =
                "Pass -Path with the vector store's own plain files and folders; sources with the same name go in separate sets (-Name).",
            [ErrorIds.BackupSourceChanged] =
                "Pause what writes it (Suspend-BatchRun or Stop-BatchRun), or back up from the run itself with Start-BatchRun -BackupEvery, which waits for a quiet point.",
            [ErrorIds.BackupDestinationInvalid] =
                "Pass -Destination with the folder that holds the backup sets (the one Backup-VectorStore wrote to).",
            [ErrorIds.BackupDestinationNotFound] =
                "Create the folder first (New-Item -ItemType Directory), or pass -Force to Backup-VectorStore to create the whole path.",
            [ErrorIds.BackupNameInvalid] =
                "Pass -BackupName with letters, digits, '.', '_' and '-', starting with a letter or digit, at most 100 characters.",
            [ErrorIds.BackupNotFound] =
                "Get-VectorStoreBackup -Destination <folder> lists the sets there are.",
            [ErrorIds.BackupInvalid] = DamagedSet,
            [ErrorIds.BackupManifestUnsafe] = DamagedSet,
            [ErrorIds.BackupDiskFull] =
                "Free space on that disk, keep fewer sets (-Keep, -KeepDaily, -KeepHourly, or Remove-VectorStoreBackup), or pass -BackupDestination / -Destination on another disk.",
            [ErrorIds.RestoreTargetInvalid] =
                "Pass -TargetPath with an existing folder to restore into, or leave -TargetPath out to restore to the original paths.",
            [ErrorIds.RestoreFailed] =
                "Run Test-VectorStoreBackup on the set, then restore again.",
            [ErrorIds.RestoreNotReconcilable] =
                "Leave out -Job to restore the files only (then Reset-BatchItem the items the set lacks), or restore a set a run took: Get-VectorStoreBackup | Where-Object Job.",
            [ErrorIds.RestoreJobMismatch] =
                "Pass -Job with the job the set names (Get-VectorStoreBackup | Select-Object Name, Job), or pick a set of your job.",

            // Results out.
            [ErrorIds.ResultFormatUnknown] =
                "Name the file .csv, .json or .jsonl (Export-BatchResult also takes -Format Csv, Json or Jsonl).",
            [ErrorIds.ResultFileExists] =
                "Leave out -NoClobber to replace the file, or pass another -Path.",
            [ErrorIds.ResultFolderNotFound] =
                "Create the folder first (New-Item -ItemType Directory), or pass -Force to create it.",
            [ErrorIds.ResultPathReused] =
                "Put {Job} in -Path (such as 'results/{Job}.csv'), so that each job piped in writes a file of its own.",
            [ErrorIds.ResultBatchesCollide] =
                "Put {Run} in the -Path template, or pass -Run with one run's id (Get-BatchRun lists them).",
        };

        /// <summary>Advice for one command where its parameters differ from the general advice's.</summary>
        private static readonly Dictionary<string, string> ByCommand = new Dictionary<string, string>
        {
            [Key("Backup-VectorStore", ErrorIds.BackupNameInvalid)] =
                "Pass -Name with letters, digits, '.', '_' and '-', starting with a letter or digit, at most 100 characters.",
            [Key("Watch-BatchHealth", ErrorIds.BackupDestinationNotFound)] =
                "Pass -BackupDestination with the folder that holds the vector store's backup sets (where Backup-VectorStore or Start-BatchRun -BackupDestination writes them).",
            [Key("Start-BatchRun", ErrorIds.BackupSourceNotFound)] =
                "Pass -BackupPath with the vector store's files or folders (e.g. faiss_index.bin, document_data.pkl).",
            [Key("Start-BatchRun", ErrorIds.BackupSourceInvalid)] =
                "Pass -BackupPath with the vector store's own plain files and folders, each name once.",
            [Key("Start-BatchRun", ErrorIds.BackupDestinationInvalid)] =
                "Pass -BackupDestination with a folder for the backup sets, not inside what is backed up.",
            [Key("Get-BatchHealth", ErrorIds.BackupDestinationInvalid)] =
                "Pass -BackupDestination with the folder that holds the vector store's backup sets.",
            [Key("Watch-BatchHealth", ErrorIds.BackupDestinationInvalid)] =
                "Pass -BackupDestination with the folder that holds the vector store's backup sets.",
        };

        /// <summary>The advice for an ErrorId raised by a command (its name, e.g. "Start-BatchRun"), or null.</summary>
        /// <summary>What a person can do about a run's notice, added after the engine's sentence (null: nothing to add).</summary>
        public static string? ForNotice(RunNoticeKind kind) => kind switch
        {
            RunNoticeKind.MemoryPaused => "Stop-BatchRun stops it.",
            RunNoticeKind.Idle => "Stop-BatchRun or Ctrl+C ends it; Add-BatchItem wakes it.",
            _ => null,
        };

        public static string? For(string errorId, string? command = null)
        {
            if (command != null && ByCommand.TryGetValue(Key(command, errorId), out string? own))
            {
                return own;
            }

            return Table.TryGetValue(errorId, out string? advice) ? advice : null;
        }

        private static string Key(string command, string errorId) => command + "|" + errorId;
    }
}
