using System;
using System.Collections.Generic;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Backup
{
    /// <summary>What to back up, where to, and which older sets to keep afterwards.</summary>
    public sealed class BackupRequest
    {
        /// <summary>The vector store's files and folders (full paths).</summary>
        public IReadOnlyList<string> Paths { get; init; } = Array.Empty<string>();

        /// <summary>The folder that holds the backup sets (full path); created when missing.</summary>
        public string Destination { get; init; } = "";

        /// <summary>Create the destination's missing parent folders too (else only the destination itself is created).</summary>
        public bool CreateDestinationTree { get; init; }

        /// <summary>The name of the store: sets are named Name-yyyyMMdd-HHmmss and retention counts within a name.</summary>
        public string Name { get; init; } = "vectorstore";

        /// <summary>Why the set is made (Manual, RunStart, RunInterval), recorded in the manifest.</summary>
        public string Reason { get; init; } = "Manual";

        /// <summary>Which sets to keep once the new one is complete; null keeps all.</summary>
        public RetentionPolicy? Retention { get; init; }

        /// <summary>A run's backup: where its job stood, recorded in the manifest for restores that reconcile the job.</summary>
        public BackupJobMark? JobMark { get; init; }

        /// <summary>Whether a name can name backup sets: letters, digits, '.', '_' and '-', starting with a letter or digit (at most 100).</summary>
        public static bool IsValidName(string? name) => BackupPaths.IsValidStoreName(name ?? "");

        /// <summary>This request under another name.</summary>
        public BackupRequest Named(string name) => new BackupRequest
        {
            Paths = Paths,
            Destination = Destination,
            CreateDestinationTree = CreateDestinationTree,
            Name = name,
            Reason = Reason,
            Retention = Retention,
            JobMark = JobMark,
        };
    }

    /// <summary>
    /// Which backup sets of a store to keep: the newest <see cref="Keep"/>, the newest of each of the latest
    /// <see cref="KeepDaily"/> days and of each of the latest <see cref="KeepHourly"/> hours that have sets (local
    /// time). A set any rule keeps is kept; with no rule, every set is kept.
    /// </summary>
    public sealed class RetentionPolicy
    {
        public int? Keep { get; init; }

        public int? KeepDaily { get; init; }

        public int? KeepHourly { get; init; }

        public bool IsEmpty => Keep == null && KeepDaily == null && KeepHourly == null;

        /// <summary>Refuses counts below 1: a rule that keeps no set would delete the one just made.</summary>
        public void Validate()
        {
            Check(Keep, "Keep");
            Check(KeepDaily, "KeepDaily");
            Check(KeepHourly, "KeepHourly");
        }

        private static void Check(int? value, string name)
        {
            if (value is int n && n < 1)
            {
                throw BatchOpsException.InvalidArgument(ErrorIds.RetentionInvalid, $"-{name} is {n}; it must be 1 or more (it counts the backup sets to keep). Leave it out to keep every set.", n);
            }
        }
    }

    /// <summary>A new backup set, and the older sets that retention removed after it.</summary>
    public sealed class BackupOutcome
    {
        public BackupOutcome(VectorStoreBackup backup, IReadOnlyList<VectorStoreBackup> removed)
        {
            Backup = backup;
            Removed = removed;
        }

        public VectorStoreBackup Backup { get; }

        public IReadOnlyList<VectorStoreBackup> Removed { get; }

        /// <summary>Hidden .partial folders of earlier backups killed mid-copy on this machine, removed before this one.</summary>
        public IReadOnlyList<string> AbandonedPartials { get; init; } = Array.Empty<string>();

        /// <summary>Set when the new set holds fewer items than the one before it (the store may have lost data).</summary>
        public string? CountDrop { get; init; }
    }
}
