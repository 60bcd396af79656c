using System.Management.Automation;
using BatchOps.Engine;
using BatchOps.Engine.Backup;
using BatchOps.Infrastructure;

namespace BatchOps.Commands
{
    /// <summary>
    /// <para type="synopsis">Deletes backup sets. Only folders that are backup sets (with a BatchOps manifest) are deleted.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "VectorStoreBackup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(void))]
    public sealed class RemoveVectorStoreBackupCommand : BatchOpsCmdlet
    {
        /// <summary>The backup set's folder; Get-VectorStoreBackup output binds by its Path.</summary>
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
