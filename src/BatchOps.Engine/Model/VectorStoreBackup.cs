using System;
using System.Collections.Generic;
using BatchOps;

namespace BatchOps
{
    /// <summary>
    /// A backup set: one timestamped folder holding copies of a vector store's files and folders and a manifest of
    /// them. Backup-VectorStore and Get-VectorStoreBackup write these; Test-, Restore- and Remove- take them.
    /// </summary>
    public sealed class VectorStoreBackup
    {
        /// <summary>The set's folder name, e.g. vectorstore-20261122-211500.</summary>
        public string Name { get; init; } = "";

        /// <summary>The name the sets of one store share (Backup-VectorStore -Name); retention counts within it.</summary>
        public string StoreName { get; init; } = "";

        /// <summary>The full path of the set's folder.</summary>
        public string Path { get; init; } = "";

        /// <summary>The folder the set is in (Backup-VectorStore -Destination).</summary>
        public string Destination { get; init; } = "";

        /// <summary>When the set was made, in UTC (the views show local time).</summary>
        public DateTime Created { get; init; }

        /// <summary>The files and folders that were backed up, with their paths at the time.</summary>
        public IReadOnlyList<BackupSource> Sources { get; init; } = Array.Empty<BackupSource>();

        public IReadOnlyList<BackupFile> Files { get; init; } = Array.Empty<BackupFile>();

        public int FileCount => Files.Count;

        /// <summary>Empty folders inside folder sources ("source/relative/path"), recreated by a restore.</summary>
        public IReadOnlyList<string> EmptyFolders { get; init; } = Array.Empty<string>();

        public long TotalBytes { get; init; }

        /// <summary>Vectors or rows in the set where the formats tell it (FAISS header, SQLite row counts); else null.</summary>
        public long? ItemCount { get; init; }

        /// <summary>How the set was made: Manual, RunStart, RunInterval.</summary>
        public string Reason { get; init; } = "";

        /// <summary>For a set a run took: its job, run, batch and time (the high-water mark a restore reconciles the job to).</summary>
        public BackupJobMark? Job { get; init; }

        public override string ToString() => Path;
    }

    /// <summary>A top-level file or folder of a backup set, and where it was backed up from.</summary>
    public sealed class BackupSource
    {
        /// <summary>Its name in the set (the leaf name of the original path).</summary>
        public string Name { get; init; } = "";

        /// <summary>The full path it was backed up from; Restore-VectorStore puts it back there unless told otherwise.</summary>
        public string OriginalPath { get; init; } = "";

        public bool IsDirectory { get; init; }
    }

    /// <summary>One file of a backup set as its manifest records it.</summary>
    public sealed class BackupFile
    {
        /// <summary>The path inside the set, with '/' separators; its first segment is the source's name.</summary>
        public string RelativePath { get; init; } = "";

        public long Size { get; init; }

        /// <summary>SHA-256 of the content, lower-case hex.</summary>
        public string Sha256 { get; init; } = "";

        /// <summary>What the content was recognised as: Faiss, Sqlite or File.</summary>
        public string Format { get; init; } = "File";

        /// <summary>FAISS: the index's vector count (ntotal); SQLite: its rows, all tables together; else null.</summary>
        public long? ItemCount { get; init; }

        /// <summary>SQLite only: the row count of each table.</summary>
        public IReadOnlyDictionary<string, long>? Tables { get; init; }
    }

    /// <summary>What Test-VectorStoreBackup found.</summary>
    public sealed class BackupTestResult
    {
        public string Name { get; init; } = "";

        public string Path { get; init; } = "";

        public bool IsValid => Problems.Count == 0;

        public int FilesChecked { get; init; }

        public IReadOnlyList<BackupProblem> Problems { get; init; } = Array.Empty<BackupProblem>();

        /// <summary>"valid", or the first problem and how many more: for tables.</summary>
        public string Summary => IsValid ? "valid" : Problems[0].Message + (Problems.Count > 1 ? $" (+{Problems.Count - 1} more)" : "");

        /// <summary>The set that was tested (null when its manifest could not be read).</summary>
        public VectorStoreBackup? Backup { get; init; }

        public override string ToString() => IsValid ? $"{Name}: valid" : $"{Name}: {Problems.Count} problem(s)";
    }

    /// <summary>A bad, missing or extra file of a backup set, or an unreadable or unsafe manifest.</summary>
    public sealed class BackupProblem
    {
        public BackupProblemKind Kind { get; init; }

        /// <summary>The file inside the set, where the problem is about one.</summary>
        public string? RelativePath { get; init; }

        public string Message { get; init; } = "";

        public override string ToString() => Message;
    }

    public enum BackupProblemKind
    {
        ManifestMissing,
        ManifestUnreadable,
        UnsafePath,
        Missing,
        SizeMismatch,
        HashMismatch,
        Extra,
        Link,
    }

    /// <summary>What Restore-VectorStore did.</summary>
    public sealed class VectorStoreRestore
    {
        public string Backup { get; init; } = "";

        public string BackupPath { get; init; } = "";

        /// <summary>The paths that now hold the backup's content.</summary>
        public IReadOnlyList<string> Restored { get; init; } = Array.Empty<string>();

        /// <summary>The folder that holds what the restore replaced; null when nothing was replaced.</summary>
        public string? SafetyCopy { get; init; }

        public long? ItemCount { get; init; }

        public DateTime Completed { get; init; }

        /// <summary>The job reconciled with the restored set (Restore-VectorStore -Job), if any.</summary>
        public string? Job { get; init; }

        /// <summary>Items of that job that had succeeded after the set was taken and are pending again.</summary>
        public long? ItemsReturned { get; init; }
    }
}
