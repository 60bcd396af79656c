using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace BatchOps.Engine.Backup
{
    /// <summary>
    /// manifest.json of a backup set, as written to disk. The set's files are under data/, each named in the manifest
    /// by a relative path with '/' separators whose first segment is the source's name.
    /// </summary>
    internal sealed class BackupManifest
    {
        public const string FileName = "manifest.json";
        public const string DataFolder = "data";
        public const string FormatName = "BatchOps.VectorStoreBackup";
        public const int CurrentFormatVersion = 1;

        private static readonly JsonSerializerOptions Options = new JsonSerializerOptions
        {
            WriteIndented = true,
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };

        public string Format { get; set; } = FormatName;

        public int FormatVersion { get; set; } = CurrentFormatVersion;

        public string Name { get; set; } = "";

        public DateTime Created { get; set; }

        public string Reason { get; set; } = "";

        public string? Host { get; set; }

        public List<ManifestSource> Sources { get; set; } = new List<ManifestSource>();

        public List<ManifestFile> Files { get; set; } = new List<ManifestFile>();

        /// <summary>Folders of folder sources that hold nothing, as "source/relative/path": recreated on restore.</summary>
        public List<string> EmptyFolders { get; set; } = new List<string>();

        public long? ItemCount { get; set; }

        /// <summary>A run's backup: where its job stood when the set was taken (absent in sets of Backup-VectorStore).</summary>
        public BackupJobMark? Job { get; set; }

        public sealed class ManifestSource
        {
            public string Name { get; set; } = "";

            public string Path { get; set; } = "";

            public bool IsDirectory { get; set; }
        }

        public sealed class ManifestFile
        {
            public string Path { get; set; } = "";

            public long Size { get; set; }

            public string Sha256 { get; set; } = "";

            public string Format { get; set; } = "File";

            public long? ItemCount { get; set; }

            public Dictionary<string, long>? Tables { get; set; }
        }

        /// <summary>Writes the manifest under a temporary name, flushes it to disk, then renames it into place.</summary>
        public void Write(string setFolder) =>
            AtomicFile.Write(System.IO.Path.Combine(setFolder, FileName), JsonSerializer.SerializeToUtf8Bytes(this, Options));

        /// <summary>Reads a set's manifest; the problem, if it cannot be read, in <paramref name="problem"/>.</summary>
        public static BackupManifest? TryRead(string setFolder, out BackupProblem? problem)
        {
            string path = System.IO.Path.Combine(setFolder, FileName);
            problem = null;
            if (!File.Exists(path))
            {
                problem = new BackupProblem { Kind = BackupProblemKind.ManifestMissing, Message = $"The backup set has no {FileName}: it is not a BatchOps backup set, or it was not completed." };
                return null;
            }

            try
            {
                BackupManifest? manifest = JsonSerializer.Deserialize<BackupManifest>(File.ReadAllText(path, Encoding.UTF8), Options);
                if (manifest == null || manifest.Format != FormatName)
                {
                    problem = Unreadable($"it is not a {FormatName} manifest");
                    return null;
                }

                if (manifest.FormatVersion > CurrentFormatVersion)
                {
                    problem = Unreadable($"it is format version {manifest.FormatVersion}, newer than this BatchOps reads ({CurrentFormatVersion}): update BatchOps");
                    return null;
                }

                return manifest;
            }
            catch (Exception e) when (e is JsonException || e is IOException || e is UnauthorizedAccessException || e is NotSupportedException)
            {
                problem = Unreadable(e.Message);
                return null;
            }
        }

        /// <summary>
        /// The problems that make the manifest unsafe to restore: a path that is absolute, climbs out with "..", uses
        /// a backslash or a drive letter, or does not start with one of the set's sources.
        /// </summary>
        public IReadOnlyList<BackupProblem> FindUnsafePaths()
        {
            var problems = new List<BackupProblem>();
            var sourceNames = new HashSet<string>(StringComparer.Ordinal);
            foreach (ManifestSource source in Sources)
            {
                if (!BackupPaths.IsSafeRelativePath(source.Name) || source.Name.IndexOf('/') >= 0)
                {
                    problems.Add(Unsafe(source.Name, $"The source name '{source.Name}' is not a plain file or folder name."));
                }
                else if (!sourceNames.Add(source.Name))
                {
                    problems.Add(Unsafe(source.Name, $"The source name '{source.Name}' appears twice."));
                }
            }

            foreach (ManifestFile file in Files)
            {
                if (!BackupPaths.IsSafeRelativePath(file.Path))
                {
                    problems.Add(Unsafe(file.Path, $"The file path '{file.Path}' escapes the backup set (absolute, '..', a drive or a backslash)."));
                }
                else if (!sourceNames.Contains(file.Path.Split('/')[0]))
                {
                    problems.Add(Unsafe(file.Path, $"The file path '{file.Path}' belongs to no source of the set."));
                }
            }

            foreach (string folder in EmptyFolders ?? new List<string>())
            {
                if (!BackupPaths.IsSafeRelativePath(folder) || folder.IndexOf('/') < 0)
                {
                    problems.Add(Unsafe(folder, $"The folder path '{folder}' escapes the backup set (absolute, '..', a drive or a backslash) or is not inside a source."));
                }
                else if (!sourceNames.Contains(folder.Split('/')[0]))
                {
                    problems.Add(Unsafe(folder, $"The folder path '{folder}' belongs to no source of the set."));
                }
            }

            return problems;
        }

        public VectorStoreBackup ToBackup(string setFolder)
        {
            string full = System.IO.Path.GetFullPath(setFolder);
            return new VectorStoreBackup
            {
                Name = System.IO.Path.GetFileName(full.TrimEnd(System.IO.Path.DirectorySeparatorChar)),
                StoreName = Name,
                Path = full,
                Destination = System.IO.Path.GetDirectoryName(full.TrimEnd(System.IO.Path.DirectorySeparatorChar)) ?? "",
                Created = DateTime.SpecifyKind(Created, DateTimeKind.Utc),
                Reason = Reason,
                Sources = Sources.Select(s => new BackupSource { Name = s.Name, OriginalPath = s.Path, IsDirectory = s.IsDirectory }).ToList(),
                Files = Files.Select(f => new BackupFile
                {
                    RelativePath = f.Path,
                    Size = f.Size,
                    Sha256 = f.Sha256,
                    Format = f.Format,
                    ItemCount = f.ItemCount,
                    Tables = f.Tables,
                }).ToList(),
                EmptyFolders = (EmptyFolders ?? new List<string>()).ToList(),
                TotalBytes = Files.Sum(f => f.Size),
                ItemCount = ItemCount,
                Job = Job,
            };
        }

        private static BackupProblem Unreadable(string why) =>
            new BackupProblem { Kind = BackupProblemKind.ManifestUnreadable, Message = $"The manifest cannot be read: {why}." };

        private static BackupProblem Unsafe(string path, string message) =>
            new BackupProblem { Kind = BackupProblemKind.UnsafePath, RelativePath = path, Message = message };
    }
}
