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
        };

        public static string? For(string errorId) => Table.TryGetValue(errorId, out string? advice) ? advice : null;
    }
}
