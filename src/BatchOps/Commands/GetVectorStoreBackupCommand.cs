using System.Management.Automation;
using BatchOps.Engine;
using BatchOps.Engine.Backup;
using BatchOps.Infrastructure;
using BatchOps.Engine.Errors;

namespace BatchOps.Commands
{
    [Cmdlet(VerbsCommon.Get, "VectorStoreBackup")]
    [OutputType(typeof(VectorStoreBackup))]
    public sealed class GetVectorStoreBackupCommand : BatchOpsCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        public string Destination { get; set; } = "";

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
