using System;
using System.IO;

namespace BatchOps.Engine.Backup
{
    /// <summary>
    /// Reads the vector count (ntotal) from the header of a FAISS index file written by faiss.write_index.
    /// Float indexes (IndexFlat, IVF*, HNSW*, PQ, SQ, IDMap, PreTransform ...) start with a 4-byte type code and then
    /// the common header: int32 d, int64 ntotal, two int64 "dummy" fields of 1 &lt;&lt; 20, uint8 is_trained, int32
    /// metric_type, all little-endian. Binary indexes (type codes "IB..") write int32 d, int32 code_size, int64 ntotal.
    /// The dummies make float headers recognisable; anything else is treated as an ordinary file.
    /// </summary>
    public static class FaissIndexHeader
    {
        private const long Dummy = 1L << 20;
        private const int HeaderLength = 4 + 4 + 8 + 8 + 8;

        /// <summary>The index's vector count, or null when the file is not a FAISS index this reader knows.</summary>
        public static long? TryReadVectorCount(string path)
        {
            byte[] header = new byte[HeaderLength];
            int read;
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            {
                read = Storage.StoreFile.ReadFully(stream, header);
            }

            return TryReadVectorCount(header, read);
        }

        public static long? TryReadVectorCount(byte[] header, int length)
        {
            if (length < 16 || !IsTypeCode(header))
            {
                return null;
            }

            int dimension = BitConverter.ToInt32(header, 4);
            if (dimension <= 0 || dimension > 1 << 20)
            {
                return null;
            }

            if (header[0] == (byte)'I' && header[1] == (byte)'B')
            {
                long binaryCount = BitConverter.ToInt64(header, 12);
                return binaryCount >= 0 ? binaryCount : (long?)null;
            }

            if (length < HeaderLength || BitConverter.ToInt64(header, 16) != Dummy || BitConverter.ToInt64(header, 24) != Dummy)
            {
                return null;
            }

            long count = BitConverter.ToInt64(header, 8);
            return count >= 0 ? count : (long?)null;
        }

        // Type codes are four printable ASCII characters ("IxF2", "IwFl", "IHNf", "IxMp" ...), all starting with 'I'.
        private static bool IsTypeCode(byte[] header)
        {
            if (header[0] != (byte)'I')
            {
                return false;
            }

            for (int i = 1; i < 4; i++)
            {
                if (header[i] < 0x30 || header[i] > 0x7A)
                {
                    return false;
                }
            }

            return BitConverter.IsLittleEndian;
        }
    }
}
