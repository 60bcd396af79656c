using System.Management.Automation;
using BatchOps.Engine;
using BatchOps.Engine.Backup;
using BatchOps.Infrastructure;
using BatchOps.Engine.Errors;

namespace BatchOps.Commands
{
    [Cmdlet(VerbsDiagnostic.Test, "VectorStoreBackup")]
    [OutputType(typeof(BackupTestResult), typeof(bool))]
    public sealed class TestVectorStoreBackupCommand : BatchOpsCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath")]
        public string[] Path { get; set; } = new string[0];

        [Parameter]
        public SwitchParameter Quiet { get; set; }

        protected override void ProcessRecord()
        {
            foreach (string raw in Path)
            {
                TryEngine(() =>
                {
                    BackupTestResult result = BackupCatalog.Test(ResolveFileSystemPath(raw, "-Path", ErrorIds.BackupNotFound));
                    foreach (BackupProblem problem in result.Problems)
                    {
                        WriteVerbose($"{result.Name}: {problem.Message}");
                    }

                    WriteObject(Quiet ? (object)result.IsValid : result);
                });
            }
        }
    }
}
