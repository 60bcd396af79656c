using System;
using System.Globalization;
using BatchOps.Engine.Running;
using BatchOps.Engine.Platform;

namespace BatchOps.Engine.Backup
{
    /// <summary>
    /// Who is writing a .partial backup folder, carried in the folder's own name ("...@&lt;machine&gt;-&lt;pid&gt;-&lt;start&gt;.partial"),
    /// so that the folder never exists without its owner: an owner file written after the folder was made left an
    /// ownerless partial whenever a kill fell between the two, and the sweep had to keep it for a day.
    /// </summary>
    internal static class PartialOwner
    {
        private const char Separator = '@';

        /// <summary>The tag for a partial folder written by this process.</summary>
        public static string Tag(RunHost host) =>
            Separator + MachineHash(host.Machine) + "-" + host.ProcessId.ToString(CultureInfo.InvariantCulture) + "-" + host.ProcessStartedMs.ToString(CultureInfo.InvariantCulture);

        /// <summary>True when the folder name carries an owner: then <paramref name="abandoned"/> says whether it is dead here.</summary>
        public static bool TryJudge(string folderName, RunHost self, out bool abandoned)
        {
            abandoned = false;
            int at = folderName.LastIndexOf(Separator);
            if (at < 0 || !folderName.EndsWith(BackupPaths.PartialSuffix, StringComparison.Ordinal))
            {
                return false;
            }

            string[] parts = folderName.Substring(at + 1, folderName.Length - at - 1 - BackupPaths.PartialSuffix.Length).Split('-');
            if (parts.Length != 3
                || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
                || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out long started))
            {
                return false;
            }

            // Another machine's partial (a shared folder) is never judged from here.
            abandoned = parts[0] == MachineHash(self.Machine) && !RunHost.IsProcessAlive(pid, started);
            return true;
        }

        /// <summary>A short, file-name-safe stand-in for a machine name (FNV-1a of its upper-case form).</summary>
        internal static string MachineHash(string machine)
        {
            uint hash = 2166136261;
            foreach (char c in machine.ToUpperInvariant())
            {
                hash = (hash ^ c) * 16777619;
            }

            return hash.ToString("x8", CultureInfo.InvariantCulture);
        }
    }
}
