using System.Collections.Generic;

namespace BatchOps.Infrastructure
{
    /// <summary>
    /// What to do about an engine error, in PowerShell's words (cmdlets, parameters), by ErrorId. The engine says
    /// what happened; the advice is added here, once, as the ErrorRecord's RecommendedAction, which the console
    /// shows under the message ("Recommendation: ...").
    /// </summary>
    internal static class ErrorAdvice
    {
        private static readonly Dictionary<string, string> Table = new Dictionary<string, string>
        {
            [Engine.ErrorIds.BackupDestinationNotFound] =
                "Create the folder first (New-Item -ItemType Directory), or pass -Force to Backup-VectorStore to create the whole path.",
            [Engine.ErrorIds.StoreDiskFull] =
                "Free space on that disk (Get-PSDrive shows it), or move the store to a bigger one (Backup-VectorStore -Path <store>, then -Store <new path>); then run the same Start-BatchRun again: it resumes.",
            [Engine.ErrorIds.LogDiskFull] =
                "Free space on that disk, or pass -LogPath with a folder on another disk; then run the same Start-BatchRun again: it resumes.",
            [Engine.ErrorIds.BackupDiskFull] =
                "Free space on that disk, keep fewer sets (-Keep, -KeepDaily, -KeepHourly, or Remove-VectorStoreBackup), or pass -BackupDestination / -Destination on another disk.",
            [Engine.ErrorIds.StoreDamaged] =
                "Copy the store aside, then rebuild it: sqlite3 <store> .recover | sqlite3 <new store>, and pass -Store <new store>; or Restore-VectorStore a backup set of the store.",
            [Engine.ErrorIds.ResultFormatUnknown] =
                "Name the file .csv, .json or .jsonl (Export-BatchResult also takes -Format Csv, Json or Jsonl).",
            [Engine.ErrorIds.ResultFileExists] =
                "Leave out -NoClobber to replace the file, or pass another -Path.",
            [Engine.ErrorIds.ResultFolderNotFound] =
                "Create the folder first (New-Item -ItemType Directory), or pass -Force to create it.",
            [Engine.ErrorIds.ResultBatchesCollide] =
                "Put {Run} in the -Path template, or pass -Run with one run's id (Get-BatchRun lists them).",
            [Engine.ErrorIds.RestoreNotReconcilable] =
                "Leave out -Job to restore the files only (then Reset-BatchItem the items the set lacks), or restore a set a run took: Get-VectorStoreBackup | Where-Object Job.",
            [Engine.ErrorIds.StoreBackendNotSupported] =
                "Pass -Store (or set $env:BATCHOPS_STORE) with the path of a SQLite store file, such as ./batchops.db.",
            [Engine.ErrorIds.RestoreJobMismatch] =
                "Pass -Job with the job the set names (Get-VectorStoreBackup | Select-Object Name, Job), or pick a set of your job.",
        };

        public static string? For(string errorId) => Table.TryGetValue(errorId, out string? advice) ? advice : null;
    }
}
