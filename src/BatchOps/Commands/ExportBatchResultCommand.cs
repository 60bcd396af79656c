using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using BatchOps.Engine;
using BatchOps.Engine.Reporting;
using BatchOps.Engine.Storage;
using BatchOps.Infrastructure;
using BatchOps.Engine.Errors;

namespace BatchOps.Commands
{
    [Cmdlet(VerbsData.Export, "BatchResult", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(FileInfo))]
    public sealed class ExportBatchResultCommand : BatchOpsCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Name")]
        [ArgumentCompleter(typeof(JobNameCompleter))]
        public string Job { get; set; } = "";

        [Parameter(Mandatory = true, Position = 1)]
        public string Path { get; set; } = "";

        [Parameter]
        public ResultFormat? Format { get; set; }

        [Parameter]
        [ArgumentCompleter(typeof(StatusCompleter))]
        public ItemStatus? Status { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("RunId")]
        public long? Run { get; set; }

        [Parameter]
        public long? Batch { get; set; }

        [Parameter]
        public SwitchParameter PerBatch { get; set; }

        [Parameter]
        public SwitchParameter NoClobber { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? Store { get; set; }

        // The files this command wrote, so that a second job piped in never overwrites the first one's.
        private readonly HashSet<string> _written = new HashSet<string>(System.StringComparer.Ordinal);

        protected override void ProcessRecord()
        {
            IJobStore store = OpenStore(Store, StoreAccess.ReadOnly);
            TryEngine(() =>
            {
                BatchJob job = store.GetJob(Job);
                var exporter = new ResultExporter(store, job);
                var request = new ResultExportRequest
                {
                    Path = PerBatch
                        ? ResultPathTemplate.Resolve(Path, path => ResolveFileSystemPath(path, "-Path", ErrorIds.ResultPathInvalid))
                        : ResolveFileSystemPath(Path, "-Path", ErrorIds.ResultPathInvalid),
                    Format = Format,
                    Status = Status,
                    Run = Run,
                    Batch = Batch,
                    PerBatch = PerBatch,
                    NoClobber = NoClobber,
                    Force = Force,
                    WrittenBefore = _written,
                };
                IReadOnlyList<ResultFilePlan> plans = exporter.Plan(request);
                if (plans.Count == 0)
                {
                    WriteWarning($"No batch of job '{job.Name}' has finished items" + (Run != null ? $" in run {Run}" : "") + "; no file was written.");
                }

                foreach (ResultFilePlan plan in plans)
                {
                    string what = plan.Batch is long batch ? $"batch {batch} of run {plan.Run} of job '{job.Name}'" : $"job '{job.Name}'";
                    if (!ShouldProcess(plan.Path, $"Write the results of {what} as {plan.Format}"))
                    {
                        continue;
                    }

                    long rows = exporter.Write(plan, Force);
                    _written.Add(plan.Path);
                    WriteVerbose($"Wrote {rows} result(s) of {what} to '{plan.Path}'.");
                    if (PassThru)
                    {
                        WriteObject(new FileInfo(plan.Path));
                    }
                }
            });
        }
    }
}
