using System;
using System.Management.Automation;
using BatchOps.Engine;
using BatchOps.Engine.Backup;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;
using BatchOps.Infrastructure;
using BatchOps.Engine.Errors;

namespace BatchOps.Commands
{
    [Cmdlet(VerbsData.Restore, "VectorStore", DefaultParameterSetName = SetPathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(VectorStoreRestore))]
    public sealed class RestoreVectorStoreCommand : BatchOpsCmdlet
    {
        private const string SetPathSet = "Path";
        private const string LatestSet = "Latest";
        private bool _restored;

        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = SetPathSet)]
        [Alias("PSPath")]
        public string Path { get; set; } = "";

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LatestSet)]
        public string Destination { get; set; } = "";

        [Parameter(Mandatory = true, ParameterSetName = LatestSet)]
        public SwitchParameter Latest { get; set; }

        [Parameter(ParameterSetName = LatestSet)]
        public string? Name { get; set; }

        [Parameter(ParameterSetName = LatestSet)]
        public SwitchParameter Force { get; set; }

        [Parameter]
        public string? TargetPath { get; set; }

        [Parameter]
        [ArgumentCompleter(typeof(JobNameCompleter))]
        public string? Job { get; set; }

        [Parameter]
        public string? Store { get; set; }

        protected override void ProcessRecord()
        {
            if (_restored)
            {
                WriteBatchOpsError(new BatchOpsException(
                    ErrorIds.RestoreTooManySets,
                    BatchOpsErrorCategory.InvalidArgument,
                    "Restore-VectorStore restores one set and one was restored already; this one was skipped. Pipe a single set, e.g. Get-VectorStoreBackup -Destination <folder> | Select-Object -First 1 | Restore-VectorStore.",
                    Path));
                return;
            }

            try
            {
                string? target = TargetPath == null ? null : ResolveFileSystemPath(TargetPath, "-TargetPath", ErrorIds.RestoreTargetInvalid);
                VectorStoreBackup backup = ParameterSetName == LatestSet
                    ? BackupCatalog.NewestValid(
                        ResolveFileSystemPath(Destination, "-Destination", ErrorIds.BackupDestinationInvalid),
                        Name,
                        skipped => WriteWarning($"Skipped the backup set '{skipped.Name}': {skipped.Reason}."),
                        allowDrop: Force)
                    : BackupCatalog.Open(ResolveFileSystemPath(Path, "-Path", ErrorIds.BackupNotFound));
                string targets = string.Join(", ", VectorStoreRestorer.TargetsOf(backup, target));
                JobReconciliation? reconcile = Job == null ? null : JobReconciliation.Prepare(backup, ResolveStorePath(Store), Job);
                if (reconcile == null && backup.Job != null)
                {
                    WriteWarning(
                        $"The set '{backup.Name}' was taken by {backup.Job} ({backup.Job.Taken:u}); items of that job that succeeded after it keep saying Succeeded " +
                        $"although the restored store lacks their results. Pass -Job '{backup.Job.Job}' to return them to Pending as part of the restore.");
                }

                string jobPart = reconcile != null ? $", returning the items of job '{reconcile.Job}' that succeeded after it to Pending" : "";
                if (!ShouldProcess($"{targets} from backup set '{backup.Name}' ({backup.Created:u}){jobPart}", "Restore"))
                {
                    return; // -WhatIf restored nothing: the next set piped in is shown too, not refused
                }

                _restored = true;

                VectorStoreRestore restore;
                if (reconcile == null)
                {
                    restore = new VectorStoreRestorer().Restore(backup, target);
                }
                else
                {
                    // The job's live runs sleep while the store is swapped and the job reconciled (as Suspend-BatchRun).
                    IJobStore store = OpenStore(Store, StoreAccess.ReadWriteExisting);
                    BatchJob reconciled = store.GetJob(reconcile.Job);
                    using JobPause pause = JobPause.Suspend(store, reconciled, TimeSpan.FromMinutes(2));
                    if (pause.Suspended.Count > 0)
                    {
                        WriteVerbose($"Suspended run(s) {string.Join(", ", pause.Suspended)} of job '{reconcile.Job}' for the restore; they are resumed after it.");
                    }

                    if (pause.NotQuiet.Count > 0)
                    {
                        WriteWarning($"Run(s) {string.Join(", ", pause.NotQuiet)} of job '{reconcile.Job}' did not go quiet within 2 minutes; items they finish during the restore keep their outcome although the restored store may lack their results.");
                    }

                    restore = new VectorStoreRestorer().Restore(backup, target, reconcile);
                    store.ForgetVectorStoreBaselines(reconciled); // the restored store is the reference now
                }

                WriteVerbose($"Restored {targets} from '{backup.Path}'" + (restore.SafetyCopy != null ? $"; what was there is kept in '{restore.SafetyCopy}'." : "."));
                if (restore.ItemsReturned is long returned)
                {
                    WriteVerbose($"{returned} item(s) of job '{restore.Job}' that succeeded after the set was taken are pending again.");
                }
                WriteObject(restore);
            }
            catch (BatchOpsException e)
            {
                ThrowTerminating(e); // a restore that did not happen must stop a script that goes on to use the store
            }
        }
    }
}
