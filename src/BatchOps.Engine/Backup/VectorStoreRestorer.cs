using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Backup
{
    /// <summary>
    /// Restores a backup set: verifies it (an invalid or path-escaping set is refused before anything is written),
    /// stages each source beside its target ("name.batchops-new"), records the swaps in a <see cref="RestoreJournal"/>,
    /// then moves each old copy into a safety folder and the new one into place. A kill at any moment leaves a state
    /// that the next restore or backup of the same paths turns into either the old store or the new one, whole.
    /// </summary>
    public sealed class VectorStoreRestorer
    {
        private readonly TimeProvider _time;

        public VectorStoreRestorer()
            : this(null)
        {
        }

        public VectorStoreRestorer(TimeProvider? time)
        {
            _time = time ?? TimeProvider.System;
        }

        /// <summary>Called between the steps of a restore (tests stop a restore halfway through with it).</summary>
        internal Action<string>? OnStep { get; set; }

        /// <summary>Where each source of the set would be restored: beside the original, or under <paramref name="targetFolder"/>.</summary>
        public static IReadOnlyList<string> TargetsOf(VectorStoreBackup backup, string? targetFolder)
        {
            var targets = new List<string>();
            foreach (BackupSource source in backup.Sources)
            {
                if (targetFolder != null)
                {
                    targets.Add(Path.Combine(Path.GetFullPath(targetFolder), source.Name));
                }
                else if (!Path.IsPathRooted(source.OriginalPath))
                {
                    throw BatchOpsException.InvalidArgument(ErrorIds.RestoreTargetInvalid, $"The set '{backup.Name}' does not record a full original path for '{source.Name}', so it has no place to go back to; it needs a folder to restore into.", backup.Path);
                }
                else
                {
                    targets.Add(Path.GetFullPath(source.OriginalPath));
                }
            }

            return targets;
        }

        /// <param name="backup">The set to restore.</param>
        /// <param name="targetFolder">Restore every source into this existing folder, by name; null puts each back where it was backed up from.</param>
        /// <param name="reconcile">The job to reconcile with the restored set, in the same journaled operation (see <see cref="JobReconciliation.Prepare"/>).</param>
        public VectorStoreRestore Restore(VectorStoreBackup backup, string? targetFolder, JobReconciliation? reconcile = null)
        {
            if (targetFolder != null && !Directory.Exists(targetFolder))
            {
                throw new BatchOpsException(ErrorIds.RestoreTargetInvalid, BatchOpsErrorCategory.ObjectNotFound, $"The target folder '{targetFolder}' does not exist; nothing was restored.", targetFolder);
            }

            BackupTestResult test = BackupCatalog.Test(backup.Path);
            if (!test.IsValid)
            {
                string problems = string.Join(" ", test.Problems.Take(5).Select(p => p.Message)) + (test.Problems.Count > 5 ? $" (and {test.Problems.Count - 5} more)" : "");
                string id = test.Problems.Any(p => p.Kind == BackupProblemKind.UnsafePath || p.Kind == BackupProblemKind.Link) ? ErrorIds.BackupManifestUnsafe : ErrorIds.BackupInvalid;
                throw new BatchOpsException(id, BatchOpsErrorCategory.InvalidData, $"The backup set '{backup.Name}' failed verification, so nothing was restored: {problems}", backup.Path);
            }

            VectorStoreBackup verified = test.Backup!;
            IReadOnlyList<string> targets = TargetsOf(verified, targetFolder);
            RestoreJournal.RecoverFor(targets);

            string stamp = _time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
            var journal = new RestoreJournal { Backup = verified.Path, Reconcile = reconcile };
            string data = Path.Combine(verified.Path, BackupManifest.DataFolder);
            try
            {
                StageAll(verified, targets, data, stamp, journal);
            }
            catch
            {
                foreach (string target in targets)
                {
                    FileSystemMoves.Discard(target + RestoreJournal.StagedSuffix); // nothing was swapped yet
                }

                throw;
            }

            string journalPath = RestoreJournal.PathIn(Path.GetDirectoryName(targets[0])!);
            reconcile?.Begin();
            journal.Save(journalPath);
            OnStep?.Invoke("journal");
            foreach (RestoreJournal.Swap swap in journal.Swaps)
            {
                if (swap.Existed)
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(swap.Safety)!);
                    FileSystemMoves.Move(swap.Target, swap.Safety);
                    OnStep?.Invoke("moved aside " + swap.Target);
                }

                FileSystemMoves.Move(swap.Staged, swap.Target);
                OnStep?.Invoke("swapped " + swap.Target);
            }

            journal.Committed = true;
            journal.Save(journalPath);
            OnStep?.Invoke("committed");
            long? returned = reconcile?.Apply();
            OnStep?.Invoke("reconciled");
            File.Delete(journalPath);

            List<string> safety = journal.Swaps.Where(s => s.Existed).Select(s => Path.GetDirectoryName(s.Safety)!).Distinct(StringComparer.Ordinal).ToList();
            return new VectorStoreRestore
            {
                Backup = verified.Name,
                BackupPath = verified.Path,
                Restored = targets,
                SafetyCopy = safety.Count == 0 ? null : string.Join(", ", safety),
                ItemCount = verified.ItemCount,
                Job = reconcile?.Job,
                ItemsReturned = returned,
                Completed = _time.GetUtcNow().UtcDateTime,
            };
        }

        private void StageAll(VectorStoreBackup verified, IReadOnlyList<string> targets, string data, string stamp, RestoreJournal journal)
        {
            for (int i = 0; i < verified.Sources.Count; i++)
            {
                BackupSource source = verified.Sources[i];
                string target = targets[i];
                string folder = Path.GetDirectoryName(target)!;
                Directory.CreateDirectory(folder);
                string staged = target + RestoreJournal.StagedSuffix;
                FileSystemMoves.Discard(staged);
                Stage(verified, source, data, staged);
                journal.Swaps.Add(new RestoreJournal.Swap
                {
                    Target = target,
                    Staged = staged,
                    Safety = Path.Combine(SafetyFolder(folder, stamp, source.Name), source.Name),
                    Existed = FileSystemMoves.Exists(target),
                });
                OnStep?.Invoke("staged " + source.Name);
            }
        }

        // pre-restore-<stamp>, or -2, -3 ... when a restore in the same second already kept a copy of this name there.
        private static string SafetyFolder(string folder, string stamp, string name)
        {
            string safety = Path.Combine(folder, "pre-restore-" + stamp);
            for (int n = 2; FileSystemMoves.Exists(Path.Combine(safety, name)); n++)
            {
                safety = Path.Combine(folder, "pre-restore-" + stamp + "-" + n.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            return safety;
        }

        // Copies one source out of the set to its staged path, checking every byte against the manifest as it goes.
        private static void Stage(VectorStoreBackup backup, BackupSource source, string data, string staged)
        {
            List<BackupFile> files = backup.Files.Where(f => f.RelativePath == source.Name || f.RelativePath.StartsWith(source.Name + "/", StringComparison.Ordinal)).ToList();
            if (source.IsDirectory)
            {
                Directory.CreateDirectory(staged);
                foreach (string folder in backup.EmptyFolders.Where(f => f.StartsWith(source.Name + "/", StringComparison.Ordinal)))
                {
                    Directory.CreateDirectory(BackupPaths.Combine(staged, folder.Substring(source.Name.Length + 1)));
                }
            }

            foreach (BackupFile file in files)
            {
                string destination = source.IsDirectory
                    ? BackupPaths.Combine(staged, file.RelativePath.Substring(source.Name.Length + 1))
                    : staged;
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                (string sha, long length) = FileHashing.CopyHashing(BackupPaths.Combine(data, file.RelativePath), destination);
                if (length != file.Size || !string.Equals(sha, file.Sha256, StringComparison.OrdinalIgnoreCase))
                {
                    FileSystemMoves.Discard(staged);
                    throw new BatchOpsException(ErrorIds.RestoreFailed, BatchOpsErrorCategory.InvalidData, $"'{file.RelativePath}' of '{backup.Name}' changed while it was being restored; nothing was replaced.", backup.Path);
                }
            }
        }
    }
}
