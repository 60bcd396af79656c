using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace BatchOps.Engine.Backup
{
    /// <summary>
    /// The record that makes a restore all-or-nothing. Before the first target is touched, the journal lists every
    /// swap (target, the staged new copy beside it, where the old copy goes); once every swap is done it is marked
    /// committed. After a kill, <see cref="RecoverFor"/> finds it: not committed, every swap is undone and the old
    /// store is back; committed, only the journal is removed. Each step is a rename within one folder, so any
    /// moment of a kill is one of the states recovery knows.
    /// </summary>
    internal sealed class RestoreJournal
    {
        public const string FileName = ".batchops-restore.json";
        public const string StagedSuffix = ".batchops-new";

        private static readonly JsonSerializerOptions Options = new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

        public string Backup { get; set; } = "";

        public bool Committed { get; set; }

        /// <summary>The job to reconcile once the swap is committed (Restore-VectorStore -Job); null: files only.</summary>
        public JobReconciliation? Reconcile { get; set; }

        public List<Swap> Swaps { get; set; } = new List<Swap>();

        public sealed class Swap
        {
            public string Target { get; set; } = "";

            public string Staged { get; set; } = "";

            public string Safety { get; set; } = "";

            /// <summary>Whether the target existed before the restore (else there is nothing to put back).</summary>
            public bool Existed { get; set; }
        }

        public static string PathIn(string folder) => Path.Combine(folder, FileName);

        public void Save(string path) => AtomicFile.Write(path, JsonSerializer.SerializeToUtf8Bytes(this, Options));

        /// <summary>
        /// Finishes or undoes any restore that was interrupted in the folders of these paths. Returns true when a
        /// journal was found (a restore had been interrupted).
        /// </summary>
        public static bool RecoverFor(IEnumerable<string> paths)
        {
            List<string> targets = paths.Select(p => Path.GetFullPath(p).TrimEnd(Path.DirectorySeparatorChar)).ToList();
            bool recovered = false;
            foreach (string folder in targets.Select(t => Path.GetDirectoryName(t)!).Distinct(StringComparer.Ordinal))
            {
                recovered |= RecoverIn(folder);
            }

            // A restore killed while staging wrote no journal: the old store is intact, only its staged copies remain.
            foreach (string target in targets)
            {
                FileSystemMoves.Discard(target + StagedSuffix);
                FileSystemMoves.Delete(target + ".batchops-discard");
            }

            return recovered;
        }

        /// <summary>Recovers the interrupted restore whose journal is in <paramref name="folder"/>, if there is one.</summary>
        public static bool RecoverIn(string folder)
        {
            string path = PathIn(folder);
            string temporary = AtomicFile.TemporaryOf(path);
            RestoreJournal? journal = Read(path) ?? Read(temporary);
            if (journal == null)
            {
                FileSystemMoves.Delete(temporary); // a journal never completed: nothing was swapped yet
                return false;
            }

            if (!journal.Committed)
            {
                for (int i = journal.Swaps.Count - 1; i >= 0; i--)
                {
                    Undo(journal.Swaps[i]);
                }
            }
            else
            {
                journal.Reconcile?.Apply(); // the new store is in place: the job must say so too (throws, journal kept, if the store is busy)
            }

            foreach (Swap swap in journal.Swaps)
            {
                FileSystemMoves.Discard(swap.Staged);
                FileSystemMoves.Delete(swap.Target + ".batchops-discard");
                DeleteIfEmpty(Path.GetDirectoryName(swap.Safety)!);
            }

            FileSystemMoves.Delete(path);
            FileSystemMoves.Delete(temporary);
            return true;
        }

        // Puts the old copy back: the new one (if it reached the target) is discarded first.
        private static void Undo(Swap swap)
        {
            if (swap.Existed)
            {
                if (FileSystemMoves.Exists(swap.Safety))
                {
                    FileSystemMoves.Discard(swap.Target);
                    FileSystemMoves.Move(swap.Safety, swap.Target);
                }
            }
            else if (!FileSystemMoves.Exists(swap.Staged))
            {
                FileSystemMoves.Discard(swap.Target); // it did not exist before: what is there came from the backup
            }
        }

        private static RestoreJournal? Read(string path)
        {
            if (!File.Exists(path))
            {
                return null;
            }

            try
            {
                return JsonSerializer.Deserialize<RestoreJournal>(File.ReadAllText(path, Encoding.UTF8), Options);
            }
            catch (JsonException)
            {
                return null; // a torn temporary journal: it was never renamed into place, so nothing was swapped
            }
        }

        private static void DeleteIfEmpty(string folder)
        {
            if (Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any())
            {
                Directory.Delete(folder);
            }
        }
    }
}
