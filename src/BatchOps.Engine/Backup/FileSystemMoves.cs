using System.IO;

namespace BatchOps.Engine.Backup
{
    /// <summary>Renames and removals of files or folders alike; a rename within one volume is atomic.</summary>
    internal static class FileSystemMoves
    {
        public static bool Exists(string path) => File.Exists(path) || Directory.Exists(path);

        public static void Move(string from, string to)
        {
            if (Directory.Exists(from))
            {
                Directory.Move(from, to);
            }
            else
            {
                File.Move(from, to);
            }
        }

        /// <summary>
        /// Removes a file or folder by renaming it aside first, so that a kill halfway through a large delete leaves
        /// nothing that looks like the original (the next call removes the leftover).
        /// </summary>
        public static void Discard(string path)
        {
            string aside = path + ".batchops-discard";
            Delete(aside);
            if (Exists(path))
            {
                Move(path, aside);
                Delete(aside);
            }
        }

        public static void Delete(string path)
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
            else if (File.Exists(path))
            {
                File.Delete(path);
            }
        }
    }
}
