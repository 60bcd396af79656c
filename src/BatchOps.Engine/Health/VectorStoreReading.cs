using System;
using System.Collections.Generic;
using System.IO;
using BatchOps.Engine.Backup;
using Microsoft.Data.Sqlite;

namespace BatchOps.Engine.Health
{
    /// <summary>
    /// The size of a vector store and, where its formats tell it, its item count: the FAISS header's vector count,
    /// a SQLite database's row count (all tables). Compared between readings, a drop is data loss.
    /// </summary>
    public sealed class VectorStoreReading
    {
        public VectorStoreReading(IReadOnlyList<string> paths, long bytes, long files, long? items, bool missing)
        {
            Paths = paths;
            Bytes = bytes;
            Files = files;
            Items = items;
            Missing = missing;
        }

        public IReadOnlyList<string> Paths { get; }

        public long Bytes { get; }

        public long Files { get; }

        /// <summary>Vectors or rows, when at least one file's format tells it; otherwise null.</summary>
        public long? Items { get; }

        /// <summary>True when a path does not exist (the whole store or part of it is gone).</summary>
        public bool Missing { get; }

        /// <summary>Measures the files and folders (recursively). Unreadable files count by size only.</summary>
        public static VectorStoreReading Measure(IReadOnlyList<string> paths)
        {
            long bytes = 0, files = 0;
            long? items = null;
            bool missing = false;
            foreach (string path in paths)
            {
                if (Directory.Exists(path))
                {
                    foreach (string file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories))
                    {
                        Add(file, ref bytes, ref files, ref items);
                    }
                }
                else if (File.Exists(path))
                {
                    Add(path, ref bytes, ref files, ref items);
                }
                else
                {
                    missing = true;
                }
            }

            return new VectorStoreReading(paths, bytes, files, items, missing);
        }

        private static void Add(string file, ref long bytes, ref long files, ref long? items)
        {
            if (SqliteSnapshot.IsCompanionOf(file, SqliteSnapshot.IsSqliteFile))
            {
                return; // -wal/-shm: part of the database, counted through it
            }

            files++;
            try
            {
                bytes += new FileInfo(file).Length;
                long? count = null;
                if (SqliteSnapshot.IsSqliteFile(file))
                {
                    long rows = 0;
                    foreach (long n in SqliteSnapshot.CountRows(file).Values)
                    {
                        rows += n;
                    }

                    count = rows;
                }
                else
                {
                    count = FaissIndexHeader.TryReadVectorCount(file);
                }

                if (count is long c)
                {
                    items = (items ?? 0) + c;
                }
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is SqliteException)
            {
                // Being rewritten or locked: its size (if read) still counts; the next reading sees it whole.
            }
        }
    }
}
