using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Backup
{
    /// <summary>Finds, verifies and removes the backup sets in a destination folder.</summary>
    public static class BackupCatalog
    {
        /// <summary>
        /// The complete sets in <paramref name="destination"/>, newest first; <paramref name="storeName"/> keeps only
        /// that store's. Folders being written (".partial"), and folders without a readable manifest, are not sets.
        /// </summary>
        public static IReadOnlyList<VectorStoreBackup> List(string destination, string? storeName = null)
        {
            if (!Directory.Exists(destination))
            {
                throw new BatchOpsException(
                    ErrorIds.BackupDestinationInvalid,
                    BatchOpsErrorCategory.ObjectNotFound,
                    $"The backup folder '{destination}' does not exist.",
                    destination);
            }

            var sets = new List<VectorStoreBackup>();
            foreach (string folder in Directory.GetDirectories(destination))
            {
                string name = Path.GetFileName(folder);
                if (name.StartsWith(".", StringComparison.Ordinal) || name.EndsWith(BackupPaths.PartialSuffix, StringComparison.Ordinal))
                {
                    continue;
                }

                BackupManifest? manifest = BackupManifest.TryRead(folder, out _);
                if (manifest != null && (storeName == null || string.Equals(manifest.Name, storeName, StringComparison.Ordinal)))
                {
                    sets.Add(manifest.ToBackup(folder));
                }
            }

            return sets.OrderByDescending(s => s.Created).ThenByDescending(s => s.Name, StringComparer.Ordinal).ToList();
        }

        /// <summary>The set in <paramref name="setFolder"/>; an error when it is not one.</summary>
        public static VectorStoreBackup Open(string setFolder)
        {
            RequireFolder(setFolder);
            BackupManifest? manifest = BackupManifest.TryRead(setFolder, out BackupProblem? problem);
            if (manifest == null)
            {
                throw new BatchOpsException(ErrorIds.BackupInvalid, BatchOpsErrorCategory.InvalidData, $"'{setFolder}' is not a usable backup set. {problem!.Message}", setFolder);
            }

            return manifest.ToBackup(setFolder);
        }

        /// <summary>
        /// Re-reads every file of a set and compares it with the manifest: a missing file, another size or hash, an
        /// extra file, a link, and a manifest path that escapes the set are each reported.
        /// </summary>
        public static BackupTestResult Test(string setFolder)
        {
            RequireFolder(setFolder);
            string full = Path.GetFullPath(setFolder);
            string name = Path.GetFileName(full.TrimEnd(Path.DirectorySeparatorChar));
            BackupManifest? manifest = BackupManifest.TryRead(full, out BackupProblem? unreadable);
            if (manifest == null)
            {
                return new BackupTestResult { Name = name, Path = full, Problems = new[] { unreadable! } };
            }

            var problems = new List<BackupProblem>(manifest.FindUnsafePaths());
            string data = Path.Combine(full, BackupManifest.DataFolder);
            var listed = new HashSet<string>(StringComparer.Ordinal);
            int checkedFiles = 0;
            foreach (BackupManifest.ManifestFile file in manifest.Files)
            {
                if (!BackupPaths.IsSafeRelativePath(file.Path))
                {
                    continue; // reported above; never read a path outside the set
                }

                listed.Add(file.Path);
                checkedFiles++;
                string path = BackupPaths.Combine(data, file.Path);
                if (LinkOnTheWay(data, file.Path) is string link)
                {
                    problems.Add(new BackupProblem { Kind = BackupProblemKind.Link, RelativePath = file.Path, Message = $"'{link}' is a link; a backup set holds only plain files and folders." });
                    continue;
                }

                var info = new FileInfo(path);
                if (!info.Exists)
                {
                    problems.Add(new BackupProblem { Kind = BackupProblemKind.Missing, RelativePath = file.Path, Message = $"'{file.Path}' is missing." });
                }
                else if (info.Length != file.Size)
                {
                    problems.Add(new BackupProblem { Kind = BackupProblemKind.SizeMismatch, RelativePath = file.Path, Message = $"'{file.Path}' is {info.Length:N0} bytes; the manifest says {file.Size:N0}." });
                }
                else if (!string.Equals(FileHashing.Sha256Of(path), file.Sha256, StringComparison.OrdinalIgnoreCase))
                {
                    problems.Add(new BackupProblem { Kind = BackupProblemKind.HashMismatch, RelativePath = file.Path, Message = $"'{file.Path}' has changed: its SHA-256 differs from the manifest's." });
                }
            }

            foreach (string folder in manifest.EmptyFolders ?? new List<string>())
            {
                if (BackupPaths.IsSafeRelativePath(folder) && !Directory.Exists(BackupPaths.Combine(data, folder)))
                {
                    problems.Add(new BackupProblem { Kind = BackupProblemKind.Missing, RelativePath = folder, Message = $"The empty folder '{folder}' is missing." });
                }
            }

            if (Directory.Exists(data))
            {
                foreach (string extra in FilesBelow(data).Where(f => !listed.Contains(f.RelativePath)).Select(f => f.RelativePath))
                {
                    problems.Add(new BackupProblem { Kind = BackupProblemKind.Extra, RelativePath = extra, Message = $"'{extra}' is in the set but not in its manifest." });
                }
            }

            return new BackupTestResult { Name = name, Path = full, FilesChecked = checkedFiles, Problems = problems, Backup = manifest.ToBackup(full) };
        }

        /// <summary>
        /// The newest set in <paramref name="destination"/> (of <paramref name="storeName"/>, if given) that passes
        /// <see cref="Test"/> and whose item count did not drop against the set of the same store before it (a set
        /// taken after the damage, unless <paramref name="allowDrop"/>); each newer set passed over is told to
        /// <paramref name="onSkipped"/> with the reason.
        /// </summary>
        public static VectorStoreBackup NewestValid(string destination, string? storeName, Action<SkippedBackup>? onSkipped = null, bool allowDrop = false)
        {
            IReadOnlyList<VectorStoreBackup> sets = List(destination, storeName);
            foreach (VectorStoreBackup candidate in sets)
            {
                BackupTestResult test = Test(candidate.Path);
                if (!test.IsValid)
                {
                    onSkipped?.Invoke(new SkippedBackup(candidate.Name, test.Summary));
                    continue;
                }

                if (!allowDrop && CountDrop(candidate, sets) is string drop)
                {
                    onSkipped?.Invoke(new SkippedBackup(candidate.Name, drop));
                    continue;
                }

                return candidate;
            }

            throw new BatchOpsException(
                ErrorIds.BackupNotFound,
                BatchOpsErrorCategory.ObjectNotFound,
                $"There is no valid backup set in '{destination}'" + (storeName != null ? $" named '{storeName}'" : "") + (allowDrop ? "" : " whose item count did not drop") + ". Nothing was restored.",
                destination);
        }

        /// <summary>
        /// Whether a set holds fewer items than the set of the same store taken before it (by the manifests' counts,
        /// where both have one): the sign of a backup taken after the store lost data. Null when it did not drop.
        /// </summary>
        public static string? CountDrop(VectorStoreBackup set, IReadOnlyList<VectorStoreBackup> sets)
        {
            VectorStoreBackup? before = sets
                .Where(s => s.StoreName == set.StoreName && s.Path != set.Path && (s.Created < set.Created || (s.Created == set.Created && string.CompareOrdinal(s.Name, set.Name) < 0)))
                .OrderByDescending(s => s.Created).ThenByDescending(s => s.Name, StringComparer.Ordinal)
                .FirstOrDefault();
            if (before?.ItemCount is long was && set.ItemCount is long now && now < was)
            {
                return $"its item count dropped from {was:N0} to {now:N0} against the set before it ('{before.Name}')";
            }

            return null;
        }

        /// <summary>Deletes a set: renamed to a ".partial" name first, so a kill halfway never leaves a broken set listed.</summary>
        public static void Remove(VectorStoreBackup backup)
        {
            if (!Directory.Exists(backup.Path))
            {
                return;
            }

            string parent = Path.GetDirectoryName(backup.Path)!;
            string aside = Path.Combine(parent, "." + backup.Name + ".removing" + BackupPaths.PartialSuffix);
            FileSystemMoves.Delete(aside);
            Directory.Move(backup.Path, aside);
            Directory.Delete(aside, recursive: true);
        }

        private static void RequireFolder(string setFolder)
        {
            if (!Directory.Exists(setFolder))
            {
                throw new BatchOpsException(ErrorIds.BackupNotFound, BatchOpsErrorCategory.ObjectNotFound, $"There is no backup set at '{setFolder}'.", setFolder);
            }
        }

        /// <summary>Every file and link below a folder, links not followed, with '/'-separated relative paths.</summary>
        /// <summary>Folders below <paramref name="root"/> that hold nothing at all ("a/b"), links not followed.</summary>
        internal static IEnumerable<string> EmptyFoldersBelow(string root)
        {
            var pending = new Stack<(DirectoryInfo Folder, string Prefix)>();
            pending.Push((new DirectoryInfo(root), ""));
            while (pending.Count > 0)
            {
                (DirectoryInfo folder, string prefix) = pending.Pop();
                foreach (DirectoryInfo sub in folder.EnumerateDirectories().Where(d => !BackupPaths.IsLink(d)).OrderBy(d => d.Name, StringComparer.Ordinal))
                {
                    string relative = prefix + sub.Name;
                    if (!sub.EnumerateFileSystemInfos().Any())
                    {
                        yield return relative;
                    }
                    else
                    {
                        pending.Push((sub, relative + "/"));
                    }
                }
            }
        }

        internal static IEnumerable<(string RelativePath, FileSystemInfo Info)> FilesBelow(string root)
        {
            var pending = new Stack<(DirectoryInfo Folder, string Prefix)>();
            pending.Push((new DirectoryInfo(root), ""));
            while (pending.Count > 0)
            {
                (DirectoryInfo folder, string prefix) = pending.Pop();
                foreach (FileSystemInfo entry in folder.EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
                {
                    string relative = prefix + entry.Name;
                    if (entry is DirectoryInfo sub && !BackupPaths.IsLink(entry))
                    {
                        pending.Push((sub, relative + "/"));
                    }
                    else
                    {
                        yield return (relative, entry);
                    }
                }
            }
        }

        // The first link among the folders and the file on the way from root to relativePath, if any.
        private static string? LinkOnTheWay(string root, string relativePath)
        {
            string current = root;
            foreach (string segment in relativePath.Split('/'))
            {
                current = Path.Combine(current, segment);
                var info = new FileInfo(current);
                if (info.Exists || Directory.Exists(current))
                {
                    if (BackupPaths.IsLink(Directory.Exists(current) ? new DirectoryInfo(current) : (FileSystemInfo)info))
                    {
                        return current;
                    }
                }
                else
                {
                    return null;
                }
            }

            return null;
        }
    }
}
