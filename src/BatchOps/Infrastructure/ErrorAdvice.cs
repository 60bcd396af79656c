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
        };

        public static string? For(string errorId) => Table.TryGetValue(errorId, out string? advice) ? advice : null;
    }
}
