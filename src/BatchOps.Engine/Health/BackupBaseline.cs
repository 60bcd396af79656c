using System.Collections.Generic;
using System.IO;
using System.Linq;
using BatchOps.Engine.Backup;
using BatchOps.Engine.Platform;

namespace BatchOps.Engine.Health
{
    /// <summary>
    /// What a vector store held when it was last backed up: the newest set in a backup folder that backs up exactly
    /// the watched paths, records an item count, and did not drop against the set before it. A health check that starts after the loss (a cron'd sample, a
    /// watcher started late) measures against it instead of against its own first reading. Manifests only are read.
    /// </summary>
    public static class BackupBaseline
    {
        /// <returns>The reading the set stands for, or null when the folder has no such set.</returns>
        public static VectorStoreReading? For(string destination, string? storeName, IReadOnlyList<string> watchedPaths)
        {
            if (!Directory.Exists(destination) || watchedPaths.Count == 0)
            {
                return null;
            }

            var watched = new HashSet<string>(watchedPaths.Select(FilePaths.Normalize), FilePaths.Comparer);
            IReadOnlyList<VectorStoreBackup> sets = BackupCatalog.List(destination, storeName);
            // A set whose count dropped against the one before it was taken after a loss: it is no baseline.
            VectorStoreBackup? set = sets.FirstOrDefault(s =>
                s.ItemCount != null
                && new HashSet<string>(s.Sources.Select(source => FilePaths.Normalize(source.OriginalPath)), FilePaths.Comparer).SetEquals(watched)
                && BackupCatalog.CountDrop(s, sets) == null);
            return set == null ? null : new VectorStoreReading(watchedPaths, set.TotalBytes, set.FileCount, set.ItemCount, missing: false);
        }
    }
}
