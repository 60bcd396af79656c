using System.IO;

namespace BatchOps.Engine.Backup
{
    /// <summary>Files (manifests, restore journals, results files) that are either wholly written or not there at all.</summary>
    internal static class AtomicFile
    {
        /// <summary>
        /// Writes <paramref name="content"/> to a temporary file, flushes it to disk, then renames it over
        /// <paramref name="path"/>. netstandard2.0 has no File.Move with overwrite, so an old file is deleted first: a
        /// kill between the two leaves only the complete temporary file, which readers fall back to (path + ".tmp").
        /// </summary>
        public static void Write(string path, byte[] content) => Write(path, stream => stream.Write(content, 0, content.Length));

        /// <summary>As <see cref="Write(string, byte[])"/>, the content streamed by <paramref name="write"/>; a failure leaves no temporary file.</summary>
        public static void Write(string path, System.Action<Stream> write)
        {
            string temporary = TemporaryOf(path);
            try
            {
                using var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024);
                write(stream);
                stream.Flush(true);
            }
            catch
            {
                if (File.Exists(temporary))
                {
                    File.Delete(temporary);
                }

                throw;
            }

            if (File.Exists(path))
            {
                File.Delete(path);
            }

            File.Move(temporary, path);
        }

        public static string TemporaryOf(string path) => path + ".tmp";
    }
}
