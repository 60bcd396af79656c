using System.Management.Automation;
using BatchOps.Engine;
using BatchOps.Engine.Backup;
using BatchOps.Infrastructure;
using BatchOps.Engine.Errors;

namespace BatchOps.Commands
{
    [Cmdlet(VerbsCommon.Remove, "VectorStoreBackup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(void))]
    public sealed class RemoveVectorStoreBackupCommand : BatchOpsCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath")]
        public string[] Path { get; set; } = new string[0];

        protected override void ProcessRecord()
        {
            foreach (string raw in Path)
            {
                TryEngine(() =>
                {
                    VectorStoreBackup backup = BackupCatalog.Open(ResolveFileSystemPath(raw, "-Path", ErrorIds.BackupNotFound)); // refuses a folder that is not a set
                    if (ShouldProcess($"backup set '{backup.Name}' ({backup.Created:u}, {backup.FileCount} file(s)) in '{backup.Destination}'", "Remove"))
                    {
                        BackupCatalog.Remove(backup);
                        WriteVerbose($"Removed the backup set '{backup.Path}'.");
                    }
                });
            }
        }
    }
}
