using System.Collections.Generic;
using System.Management.Automation;
using BatchOps.Engine;
using BatchOps.Engine.Backup;
using BatchOps.Engine.Storage;
using BatchOps.Infrastructure;
using BatchOps.Engine.Errors;

namespace BatchOps.Commands
{
    [Cmdlet(VerbsData.Backup, "VectorStore", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(VectorStoreBackup))]
    public sealed class BackupVectorStoreCommand : BatchOpsCmdlet
    {
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";
        private readonly List<string> _paths = new List<string>();

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = PathSet)]
        public string[] Path { get; set; } = new string[0];

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
        [Alias("PSPath", "LP")]
        public string[] LiteralPath { get; set; } = new string[0];

        [Parameter(Mandatory = true)]
        public string Destination { get; set; } = "";

        [Parameter]
        public SwitchParameter Force { get; set; }

        [Parameter]
        public string Name { get; set; } = "vectorstore";

        [Parameter]
        public int? Keep { get; set; }

        [Parameter]
        public int? KeepDaily { get; set; }

        [Parameter]
        public int? KeepHourly { get; set; }

        [Parameter]
        [ArgumentCompleter(typeof(JobNameCompleter))]
        public string? Job { get; set; }

        [Parameter]
        public string? Store { get; set; }

        protected override void ProcessRecord()
        {
            try
            {
                if (ParameterSetName == LiteralPathSet)
                {
                    foreach (string literal in LiteralPath)
                    {
                        _paths.Add(ResolveFileSystemPath(literal, "-LiteralPath", ErrorIds.BackupSourceInvalid));
                    }

                    return;
                }

                foreach (string pattern in Path)
                {
                    _paths.AddRange(ResolveExisting(pattern));
                }
            }
            catch (BatchOpsException e)
            {
                ThrowTerminating(e); // one bad path: no backup at all, rather than a set missing part of the store
            }
        }

        // Where the job stands as the copy begins: Restore-VectorStore -Job returns the items finished after it.
        private BackupJobMark JobMarkNow(string job)
        {
            IJobStore store = OpenStore(Store, StoreAccess.ReadOnly);
            return BackupJobMark.Now(store.Location, store.GetJob(job), store.NowMs());
        }

        protected override void EndProcessing()
        {
            var progress = new ProgressRecord(1, "Backup-VectorStore", "Copying");
            try
            {
                var request = new BackupRequest
                {
                    Paths = _paths,
                    Destination = ResolveFileSystemPath(Destination, "-Destination", ErrorIds.BackupDestinationInvalid),
                    Name = Name,
                    CreateDestinationTree = Force,
                    Retention = new RetentionPolicy { Keep = Keep, KeepDaily = KeepDaily, KeepHourly = KeepHourly },
                    JobMark = Job == null ? null : JobMarkNow(Job),
                };
                request.Retention.Validate();
                if (!ShouldProcess($"{string.Join(", ", _paths)} into '{request.Destination}'", "Back up"))
                {
                    return;
                }

                var writer = new VectorStoreBackupWriter
                {
                    OnFileCopied = (file, bytes) =>
                    {
                        progress.StatusDescription = $"Copied {file} ({bytes:N0} bytes)";
                        WriteProgress(progress);
                    },
                };
                BackupOutcome outcome = writer.Create(request);
                foreach (string partial in outcome.AbandonedPartials)
                {
                    WriteVerbose($"Removed '{partial}', left by a backup whose process died mid-copy.");
                }

                foreach (VectorStoreBackup removed in outcome.Removed)
                {
                    WriteVerbose($"Retention removed the backup set '{removed.Name}' ({removed.Created:u}).");
                }

                if (outcome.CountDrop != null)
                {
                    WriteWarning($"The backup set '{outcome.Backup.Name}' was made, but {outcome.CountDrop}: the store may have lost data. Restore-VectorStore -Latest passes such a set over unless -Force.");
                }

                WriteVerbose($"Backed up {outcome.Backup.FileCount} file(s), {outcome.Backup.TotalBytes:N0} bytes, to '{outcome.Backup.Path}'.");
                WriteObject(outcome.Backup);
            }
            catch (BatchOpsException e)
            {
                ThrowTerminating(e);
            }
            finally
            {
                progress.RecordType = ProgressRecordType.Completed;
                WriteProgress(progress);
            }
        }

        // Wildcards expanded by the provider; a path that matches nothing is an error, not an empty backup.
        private IEnumerable<string> ResolveExisting(string pattern)
        {
            try
            {
                return GetResolvedProviderPathFromPSPath(pattern, out ProviderInfo _);
            }
            catch (ItemNotFoundException)
            {
                throw new BatchOpsException(ErrorIds.BackupSourceNotFound, BatchOpsErrorCategory.ObjectNotFound, $"The path to back up '{pattern}' does not exist. Nothing was backed up.", pattern);
            }
        }
    }
}
