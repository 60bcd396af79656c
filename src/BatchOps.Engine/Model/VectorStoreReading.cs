using System;
using System.Collections.Generic;

namespace BatchOps
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
    }
}
