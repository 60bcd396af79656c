using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using BatchOps.Engine.Backup;
using BatchOps.Engine.Errors;
using BatchOps.Engine.Platform;

namespace BatchOps.Engine.Health
{
    /// <summary>
    /// Watch-BatchHealth -AutoRestore: when a sample shows the vector store lost data, restores the newest backup set
    /// that passes verification and backs up exactly the watched paths, and appends what it did to
    /// batchops-restores.log in the backup folder. A set of other paths is never restored over the watched store.
    /// </summary>
    public sealed class DataLossRecovery
    {
        public const string LogFileName = "batchops-restores.log";

        private readonly string _destination;
        private readonly string? _storeName;
        private readonly HashSet<string> _watched;
        private readonly IReadOnlyList<string> _paths;

        public DataLossRecovery(string destination, string? storeName, IReadOnlyList<string> watchedPaths)
        {
            _destination = destination;
            _storeName = storeName;
            _watched = new HashSet<string>(watchedPaths.Select(FilePaths.Normalize), FilePaths.Comparer);
            _paths = watchedPaths;
        }

        /// <summary>How long to wait for the job's runs to suspend before restoring a run's set (they finish what is in flight).</summary>
        public TimeSpan SuspendPatience { get; set; } = TimeSpan.FromMinutes(2);

        /// <summary>
        /// Finishes or undoes a restore of the watched paths that was interrupted (its journal is still there), so the
        /// watch measures a whole store, old or new. Returns true when there was one.
        /// </summary>
        public bool FinishInterruptedRestore() => RestoreJournal.RecoverFor(_paths);

        /// <summary>Restores and says what it did; throws AutoRestoreFailed when no set can be restored (nothing is changed).</summary>
        public string Recover(HealthSample sample, Action<SkippedBackup>? onSkipped = null)
        {
            VectorStoreBackup backup;
            try
            {
                backup = BackupCatalog.NewestValid(_destination, _storeName, onSkipped);
            }
            catch (BatchOpsException e)
            {
                throw Failed("no backup set could be used: " + e.Message, e);
            }

            IReadOnlyList<string> targets = VectorStoreRestorer.TargetsOf(backup, null);
            if (!new HashSet<string>(targets.Select(FilePaths.Normalize), FilePaths.Comparer).SetEquals(_watched))
            {
                throw Failed($"the newest valid set '{backup.Name}' backs up {string.Join(", ", targets)}, not the watched {string.Join(", ", _watched)}; nothing was restored.", null);
            }

            // A run's set knows where its job stood: the job is reconciled in the same journaled restore.
            JobReconciliation? reconcile = null;
            string unreconciled = "";
            if (backup.Job != null)
            {
                try
                {
                    reconcile = JobReconciliation.Prepare(backup, backup.Job.Store, backup.Job.Job);
                }
                catch (BatchOpsException e)
                {
                    unreconciled = $" Job '{backup.Job.Job}' was not reconciled: {e.Message}";
                }
            }

            VectorStoreRestore restore;
            string paused = "";
            try
            {
                if (reconcile == null)
                {
                    restore = new VectorStoreRestorer().Restore(backup, null);
                }
                else
                {
                    // The job's runs are suspended while the store is swapped and the job reconciled, then resumed.
                    using var store = Storage.JobStoreFactory.Open(reconcile.Store, Storage.StoreAccess.ReadWriteExisting);
                    using (var pause = Running.JobPause.Suspend(store, store.GetJob(reconcile.Job), SuspendPatience))
                    {
                        restore = new VectorStoreRestorer().Restore(backup, null, reconcile);
                        paused = pause.Suspended.Count == 0 ? ""
                            : $" Run(s) {string.Join(", ", pause.Suspended)} of job '{reconcile.Job}' were suspended during the restore and resumed." +
                              (pause.NotQuiet.Count > 0 ? $" Run(s) {string.Join(", ", pause.NotQuiet)} had not gone quiet within {SuspendPatience.TotalSeconds:0} s." : "");
                    }
                }
            }
            catch (BatchOpsException e)
            {
                throw Failed(e.Message, e);
            }

            string items = backup.ItemCount is long n ? $" ({n.ToString("N0", CultureInfo.InvariantCulture)} items)" : "";
            string action = $"Restored backup set '{backup.Name}'{items} after: {sample.Summary}." +
                (restore.SafetyCopy != null ? $" What was there is kept in '{restore.SafetyCopy}'." : "") +
                (restore.ItemsReturned is long returned ? $" {returned} item(s) of job '{restore.Job}' that succeeded after the set was taken are pending again." : "") +
                paused + unreconciled;
            AppendLog(action);
            return action;
        }

        private void AppendLog(string line)
        {
            try
            {
                File.AppendAllText(Path.Combine(_destination, LogFileName), DateTimeOffset.Now.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture) + "  " + line + Environment.NewLine);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                // The restore happened; the sample's Action still says so.
            }
        }

        private BatchOpsException Failed(string why, Exception? inner) =>
            new BatchOpsException(ErrorIds.AutoRestoreFailed, BatchOpsErrorCategory.InvalidOperation, "The vector store lost data, but it could not be restored automatically: " + why, _destination, inner);

    }
}
