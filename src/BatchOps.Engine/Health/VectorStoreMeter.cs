using System;
using System.Collections.Generic;
using System.IO;
using BatchOps.Engine.Backup;
using Microsoft.Data.Sqlite;

namespace BatchOps.Engine.Health
{
    /// <summary>Takes a <see cref="VectorStoreReading"/>: sizes, and item counts where the formats tell them.</summary>
    public static class VectorStoreMeter
    {
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
