using System;
using System.IO;
using System.Security.Cryptography;
using System.Text;

namespace BatchOps.Engine.Backup
{
    /// <summary>SHA-256 of files, and copies that hash what they copy.</summary>
    internal static class FileHashing
    {
        private const int BufferSize = 1 << 20;

        public static string Sha256Of(string path)
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.SequentialScan);
            using SHA256 sha = SHA256.Create();
            return Hex(sha.ComputeHash(stream));
        }

        /// <summary>
        /// Copies <paramref name="source"/> to a new file, flushed to disk, and returns the SHA-256 and length of the
        /// bytes copied. Readers elsewhere may keep the source open for writing: it is opened with full sharing.
        /// </summary>
        public static (string Sha256, long Length) CopyHashing(string source, string destination)
        {
            using var from = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, BufferSize, FileOptions.SequentialScan);
            using var to = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize);
            using SHA256 sha = SHA256.Create();
            var buffer = new byte[BufferSize];
            long length = 0;
            int read;
            while ((read = from.Read(buffer, 0, buffer.Length)) > 0)
            {
                sha.TransformBlock(buffer, 0, read, null, 0);
                to.Write(buffer, 0, read);
                length += read;
            }

            sha.TransformFinalBlock(buffer, 0, 0);
            to.Flush(true);
            return (Hex(sha.Hash!), length);
        }

        private static string Hex(byte[] hash)
        {
            var text = new StringBuilder(hash.Length * 2);
            foreach (byte b in hash)
            {
                text.Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            }

            return text.ToString();
        }
    }
}
