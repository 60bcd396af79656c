using System;
using System.IO;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// Room kept for a run's last write. A full disk rolls back the write that hit it, and the run must then still
    /// record its end and put its items in flight back in the queue, which needs a little space too. So a file of
    /// <see cref="Size"/> bytes (real blocks, not a sparse file) is kept beside the store, '&lt;store&gt;-reserve',
    /// made when a run starts and the disk has at least twice that free, deleted to give its space to that last write, and made
    /// again by a later run once space is back.
    /// </summary>
    internal static class StoreReserve
    {
        /// <summary>Enough for the final checkpoint of a run with a few hundred items in flight.</summary>
        public const int Size = 1024 * 1024;

        public static string PathFor(string store) => store + "-reserve";

        /// <summary>Makes the reserve if it is missing or short; quietly does nothing when there is no room or no right.</summary>
        public static void Ensure(string store)
        {
            string path = PathFor(store);
            try
            {
                var info = new FileInfo(path);
                if (info.Exists && info.Length >= Size)
                {
                    return;
                }

                if (DiskSpace.Measure(store) is (long free, _) && free < 2L * Size)
                {
                    return; // a disk this close to full needs its last megabyte for the run itself
                }

                var zeros = new byte[64 * 1024];
                using (var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
                {
                    for (int written = 0; written < Size; written += zeros.Length)
                    {
                        stream.Write(zeros, 0, zeros.Length);
                    }
                }

                UnixPermissions.RestrictToOwner(path);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is BatchOpsException)
            {
                TryDelete(path); // a short reserve is no use, and on a full disk its blocks are better free
            }
        }

        /// <summary>Gives the reserve's space back; true when there was one.</summary>
        public static bool Release(string store) => TryDelete(PathFor(store));

        private static bool TryDelete(string path)
        {
            try
            {
                if (!File.Exists(path))
                {
                    return false;
                }

                File.Delete(path);
                return true;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return false;
            }
        }
    }
}
