using System.Management.Automation;
using BatchOps.Engine;
using BatchOps.Engine.Backup;
using BatchOps.Infrastructure;

namespace BatchOps.Commands
{
    /// <summary>
    /// <para type="synopsis">Lists the backup sets in a backup folder, newest first.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "VectorStoreBackup")]
    [OutputType(typeof(VectorStoreBackup))]
    public sealed class GetVectorStoreBackupCommand : BatchOpsCmdlet
    {
        /// <summary>The folder that Backup-VectorStore -Destination wrote to.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        public string Destination { get; set; } = "";

        /// <summary>Only the sets of this store name (Backup-VectorStore -Name).</summary>
        [Parameter]
        public string? Name { get; set; }

        protected override void ProcessRecord()
        {
            TryEngine(() =>
            {
                string folder = ResolveFileSystemPath(Destination, "-Destination", ErrorIds.BackupDestinationInvalid);
                foreach (VectorStoreBackup backup in BackupCatalog.List(folder, Name))
                {
                    WriteObject(backup);
                }
            });
        }
    }
}
