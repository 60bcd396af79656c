using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using BatchOps.Engine.Running;
using BatchOps.Engine.Errors;
using BatchOps.Engine.Platform;

namespace BatchOps.Engine.Backup
{
    /// <summary>
    /// Makes a backup set: copies each source (SQLite files with the online backup API, other files checked for
    /// changes during the copy), hashes and verifies every copy, writes the manifest, and only then renames the
    /// ".partial" folder to the set's name. Retention runs after that, so a failed backup never costs an older set.
    /// </summary>
    public sealed class VectorStoreBackupWriter
    {
        private const int CopyAttempts = 3;
        private readonly TimeProvider _time;

        public VectorStoreBackupWriter()
            : this(null)
        {
        }

        public VectorStoreBackupWriter(TimeProvider? time)
        {
            _time = time ?? TimeProvider.System;
        }

        /// <summary>The zone whose days and hours -KeepDaily and -KeepHourly count.</summary>
        public TimeZoneInfo RetentionZone { get; set; } = TimeZoneInfo.Local;

        /// <summary>Called with each file as it is copied (relative path, bytes): progress for the caller.</summary>
        public Action<string, long>? OnFileCopied { get; set; }

        public BackupOutcome Create(BackupRequest request, CancellationToken cancellationToken = default)
        {
            List<(string Name, string Path, bool IsDirectory)> sources = CheckRequest(request);
            string destination = Path.GetFullPath(request.Destination);
            RestoreJournal.RecoverFor(sources.Select(s => s.Path));
            Directory.CreateDirectory(destination);
            IReadOnlyList<string> swept = SweepAbandonedPartials(destination);

            DateTime created = _time.GetUtcNow().UtcDateTime;
            string setName = FreeSetName(destination, request.Name + "-" + created.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
            // A name of its own for the folder being written, so two backups at once never share one.
            string partial = Path.Combine(destination, "." + setName + "-" + Guid.NewGuid().ToString("N").Substring(0, 8) + PartialOwner.Tag(RunHost.Current) + BackupPaths.PartialSuffix);
            string final = Path.Combine(destination, setName);
            var manifest = new BackupManifest
            {
                Name = request.Name,
                Created = created,
                Reason = request.Reason,
                Host = Environment.MachineName,
                Job = request.JobMark,
            };

            try
            {
                string data = Path.Combine(partial, BackupManifest.DataFolder);
                Directory.CreateDirectory(data);
                foreach ((string name, string path, bool isDirectory) in sources)
                {
                    manifest.Sources.Add(new BackupManifest.ManifestSource { Name = name, Path = path, IsDirectory = isDirectory });
                    if (isDirectory)
                    {
                        CopyFolder(path, name, data, manifest, cancellationToken);
                    }
                    else
                    {
                        manifest.Files.Add(CopyFile(path, name, data, cancellationToken));
                    }
                }

                Verify(data, manifest);
                List<long> counts = manifest.Files.Where(f => f.ItemCount.HasValue).Select(f => f.ItemCount!.Value).ToList();
                manifest.ItemCount = counts.Count > 0 ? counts.Sum() : (long?)null;
                manifest.Write(partial);
                while (Directory.Exists(final))
                {
                    final = Path.Combine(destination, FreeSetName(destination, setName)); // another backup took the name meanwhile
                }

                Directory.Move(partial, final);
            }
            catch (Exception e)
            {
                TryDelete(partial);
                if (DiskSpace.IsFull(e))
                {
                    throw DiskSpace.Full(ErrorIds.BackupDiskFull, "the backup destination", destination, "The incomplete set was removed (nothing that looks like a set was left); older sets are untouched. Free some space there, or back up to another disk.", e);
                }

                if (e is BatchOpsException || e is OperationCanceledException)
                {
                    throw;
                }

                throw new BatchOpsException(ErrorIds.BackupFailed, BatchOpsErrorCategory.WriteError, $"The backup to '{destination}' failed and was removed; older sets are untouched. {e.Message}", destination, e);
            }

            VectorStoreBackup backup = manifest.ToBackup(final);
            IReadOnlyList<VectorStoreBackup> sets = BackupCatalog.List(destination, request.Name);
            string? countDrop = BackupCatalog.CountDrop(backup, sets); // before retention removes the set before it
            IReadOnlyList<VectorStoreBackup> removed = Array.Empty<VectorStoreBackup>();
            if (request.Retention is RetentionPolicy policy && !policy.IsEmpty)
            {
                removed = BackupRetention.SelectExpired(sets, policy, RetentionZone)
                    .Where(s => s.Path != backup.Path)
                    .ToList();
                foreach (VectorStoreBackup old in removed)
                {
                    BackupCatalog.Remove(old);
                }
            }

            return new BackupOutcome(backup, removed) { AbandonedPartials = swept, CountDrop = countDrop };
        }

        /// <summary>
        /// Who was writing a .partial folder, in backups made before the owner went into the folder's name: host,
        /// process id, process start (ms), one per line. Still read, so that their leftovers are swept too.
        /// </summary>
        internal const string OwnerFile = ".batchops-owner";

        /// <summary>
        /// Deletes the .partial folders of backups whose process died (killed mid-copy) on this machine, and any
        /// .partial folder without an owner that is more than a day old. A partial of a live backup, or of another
        /// machine's, is left alone. Returns the folders removed.
        /// </summary>
        internal static IReadOnlyList<string> SweepAbandonedPartials(string destination)
        {
            var removed = new List<string>();
            foreach (string folder in Directory.EnumerateDirectories(destination, ".*" + BackupPaths.PartialSuffix))
            {
                if (IsAbandoned(folder) && TryDelete(folder))
                {
                    removed.Add(folder);
                }
            }

            return removed;
        }

        private static bool IsAbandoned(string partial)
        {
            if (PartialOwner.TryJudge(Path.GetFileName(partial), RunHost.Current, out bool abandoned))
            {
                return abandoned;
            }

            try
            {
                string owner = Path.Combine(partial, OwnerFile);
                if (!File.Exists(owner))
                {
                    return Directory.GetLastWriteTimeUtc(partial) < DateTime.UtcNow.AddDays(-1);
                }

                string[] lines = File.ReadAllLines(owner);
                return lines.Length == 3
                    && string.Equals(lines[0], RunHost.Current.Machine, StringComparison.OrdinalIgnoreCase)
                    && int.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
                    && long.TryParse(lines[2], NumberStyles.None, CultureInfo.InvariantCulture, out long started)
                    && !RunHost.IsProcessAlive(pid, started);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return false; // being written or removed right now
            }
        }

        /// <summary>Checks the whole request before anything is written; returns the sources with their names.</summary>
        private static List<(string Name, string Path, bool IsDirectory)> CheckRequest(BackupRequest request)
        {
            if (!BackupPaths.IsValidStoreName(request.Name ?? ""))
            {
                throw BatchOpsException.InvalidArgument(ErrorIds.BackupNameInvalid, $"The backup name '{request.Name}' is not valid: use letters, digits, '.', '_' and '-', starting with a letter or digit (at most 100).", request.Name);
            }

            request.Retention?.Validate();
            if (request.Paths.Count == 0)
            {
                throw BatchOpsException.InvalidArgument(ErrorIds.BackupSourceNotFound, "No path to back up was given: a set needs the vector store's files or folders (e.g. faiss_index.bin, document_data.pkl).");
            }

            if (string.IsNullOrWhiteSpace(request.Destination))
            {
                throw BatchOpsException.InvalidArgument(ErrorIds.BackupDestinationInvalid, "No backup folder was given: a set needs the folder that holds the backup sets.");
            }

            string destination = Path.GetFullPath(request.Destination);
            if (File.Exists(destination))
            {
                throw BatchOpsException.InvalidArgument(ErrorIds.BackupDestinationInvalid, $"The backup destination '{destination}' is a file; pass a folder.", destination);
            }

            // The backup folder itself is made when missing, but not a whole missing tree: a mistyped path should
            // fail, as a store in a missing folder does, rather than scatter backups somewhere unexpected.
            string? parent = Path.GetDirectoryName(destination);
            if (!request.CreateDestinationTree && !Directory.Exists(destination) && !string.IsNullOrEmpty(parent) && !Directory.Exists(parent))
            {
                throw new BatchOpsException(
                    ErrorIds.BackupDestinationNotFound,
                    BatchOpsErrorCategory.ObjectNotFound,
                    $"The folder '{parent}' that would hold the backup folder '{destination}' does not exist.",
                    destination);
            }

            var sources = new List<(string Name, string Path, bool IsDirectory)>();
            var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (string raw in request.Paths)
            {
                string path = Path.GetFullPath(raw).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
                bool isDirectory = Directory.Exists(path);
                if (!isDirectory && !File.Exists(path))
                {
                    throw new BatchOpsException(ErrorIds.BackupSourceNotFound, BatchOpsErrorCategory.ObjectNotFound, $"The path to back up '{path}' does not exist. Nothing was backed up.", path);
                }

                string name = Path.GetFileName(path);
                if (name.Length == 0)
                {
                    throw BatchOpsException.InvalidArgument(ErrorIds.BackupSourceInvalid, $"'{path}' is the root of a drive; back up the store's own files or folders.", path);
                }

                if (names.TryGetValue(name, out string? other))
                {
                    throw BatchOpsException.InvalidArgument(ErrorIds.BackupSourceInvalid, $"'{path}' and '{other}' have the same name '{name}'; a set keeps each source under its name, so they need separate sets.", path);
                }

                if (isDirectory && IsSameOrBelow(destination, path))
                {
                    throw BatchOpsException.InvalidArgument(ErrorIds.BackupDestinationInvalid, $"The backup destination '{destination}' is inside '{path}', which is being backed up; choose a folder outside it.", destination);
                }

                names[name] = path;
                sources.Add((name, path, isDirectory));
            }

            return sources;
        }

        private void CopyFolder(string folder, string name, string data, BackupManifest manifest, CancellationToken cancellationToken)
        {
            Directory.CreateDirectory(Path.Combine(data, name));
            List<(string RelativePath, FileSystemInfo Info)> entries = BackupCatalog.FilesBelow(folder).ToList();
            foreach ((string relative, FileSystemInfo info) in entries)
            {
                if (BackupPaths.IsLink(info))
                {
                    throw BatchOpsException.InvalidArgument(ErrorIds.BackupSourceInvalid, $"'{info.FullName}' is a link. BatchOps backs up plain files and folders only, so that a restore cannot write outside the store; back up the link's target instead.", info.FullName);
                }

                if (SqliteSnapshot.IsCompanionOf(info.FullName, SqliteSnapshot.IsSqliteFile))
                {
                    continue;
                }

                manifest.Files.Add(CopyFile(info.FullName, name + "/" + relative, data, cancellationToken));
            }

            // Empty folders carry no data but can matter to the program that owns the store: keep them too.
            foreach (string relative in BackupCatalog.EmptyFoldersBelow(folder))
            {
                Directory.CreateDirectory(BackupPaths.Combine(Path.Combine(data, name), relative));
                manifest.EmptyFolders.Add(name + "/" + relative);
            }
        }

        private BackupManifest.ManifestFile CopyFile(string source, string relativePath, string data, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string target = BackupPaths.Combine(data, relativePath);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            var entry = new BackupManifest.ManifestFile { Path = relativePath };
            if (SqliteSnapshot.IsSqliteFile(source))
            {
                SqliteSnapshot.Copy(source, target);
                Dictionary<string, long> tables = SqliteSnapshot.CountRows(target);
                entry.Format = "Sqlite";
                entry.Tables = tables;
                entry.ItemCount = tables.Values.Sum();
                entry.Sha256 = FileHashing.Sha256Of(target);
                entry.Size = new FileInfo(target).Length;
            }
            else
            {
                (entry.Sha256, entry.Size) = CopyUnchanged(source, target);
                long? vectors = FaissIndexHeader.TryReadVectorCount(target);
                if (vectors.HasValue)
                {
                    entry.Format = "Faiss";
                    entry.ItemCount = vectors;
                }
            }

            OnFileCopied?.Invoke(relativePath, entry.Size);
            return entry;
        }

        // A plain file has no snapshot API: copy it, and copy again if its size or time changed meanwhile.
        private static (string Sha256, long Length) CopyUnchanged(string source, string target)
        {
            for (int attempt = 1; ; attempt++)
            {
                var before = new FileInfo(source);
                (string sha, long length) = FileHashing.CopyHashing(source, target);
                var after = new FileInfo(source);
                if (before.Length == after.Length && before.LastWriteTimeUtc == after.LastWriteTimeUtc && length == after.Length)
                {
                    return (sha, length);
                }

                File.Delete(target);
                if (attempt == CopyAttempts)
                {
                    throw new BatchOpsException(
                        ErrorIds.BackupSourceChanged,
                        BatchOpsErrorCategory.ResourceBusy,
                        $"'{source}' changed while it was copied, {CopyAttempts} times, so no consistent copy of it could be made.",
                        source);
                }
            }
        }

        // Reads every copy back: what is on disk must be what was read from the source.
        private static void Verify(string data, BackupManifest manifest)
        {
            foreach (BackupManifest.ManifestFile file in manifest.Files)
            {
                string path = BackupPaths.Combine(data, file.Path);
                if (new FileInfo(path).Length != file.Size || !string.Equals(FileHashing.Sha256Of(path), file.Sha256, StringComparison.Ordinal))
                {
                    throw new BatchOpsException(ErrorIds.BackupFailed, BatchOpsErrorCategory.WriteError, $"The copy of '{file.Path}' does not read back as written; check the backup disk. The incomplete set was removed.", path);
                }
            }
        }

        private static string FreeSetName(string destination, string name)
        {
            string candidate = name;
            for (int n = 2; Directory.Exists(Path.Combine(destination, candidate)); n++)
            {
                candidate = name + "-" + n.ToString(CultureInfo.InvariantCulture);
            }

            return candidate;
        }

        private static bool IsSameOrBelow(string path, string folder)
        {
            string withSlash = folder.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
            StringComparison comparison = Path.DirectorySeparatorChar == '\\' ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
            return string.Equals(path.TrimEnd(Path.DirectorySeparatorChar), folder, comparison) || path.StartsWith(withSlash, comparison);
        }

        private static bool TryDelete(string path)
        {
            try
            {
                FileSystemMoves.Delete(path);
                return true;
            }
            catch (IOException)
            {
                return false; // left as a ".partial" folder, which is never listed as a set
            }
            catch (UnauthorizedAccessException)
            {
                return false;
            }
        }
    }
}
