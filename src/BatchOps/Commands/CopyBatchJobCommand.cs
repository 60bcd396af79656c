using System.Diagnostics;
using System.Management.Automation;
using BatchOps.Engine.Storage;
using BatchOps.Infrastructure;

namespace BatchOps.Commands
{
    /// <summary>
    /// Copies a job, with its items' status, attempts, results, errors and payloads and its error log, to another store
    /// (a SQLite file or a PostgreSQL server, either way), so that it goes on there. The copy is the engine's
    /// <see cref="JobCopier"/>; this command resolves the stores, asks ShouldProcess and reports progress.
    /// </summary>
    [Cmdlet(VerbsCommon.Copy, "BatchJob", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(BatchJob))]
    public sealed class CopyBatchJobCommand : BatchOpsCmdlet
    {
        private const long ProgressEveryMs = 250;

        private volatile bool _stopping;

        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Name")]
        [ArgumentCompleter(typeof(JobNameCompleter))]
        public string Job { get; set; } = "";

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? Store { get; set; }

        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNullOrEmpty]
        public string Destination { get; set; } = "";

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? DestinationJob { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecord()
        {
            IJobStore source = OpenStore(Store, StoreAccess.ReadOnly);
            var progress = new ProgressRecord(0x0BA9, $"Copying job '{Job}'", "Reading the job");
            bool shown = false;
            TryEngine(() =>
            {
                // The destination is only read until ShouldProcess says yes: -WhatIf creates no store file or schema.
                bool destinationExists = JobStoreFactory.CheckLocation(ResolveStorePath(Destination));
                IJobStore? existing = destinationExists ? OpenStore(Destination, StoreAccess.ReadOnly) : null;
                JobCopyPlan plan = JobCopier.Plan(source, Job, existing, DestinationJob, Force);
                string destinationName = existing?.Location ?? JobStoreFactory.Redact(ResolveStorePath(Destination));
                if (!ShouldProcess(plan.Describe(destinationName), "Copy"))
                {
                    return;
                }

                IJobStore destination = OpenStore(Destination, StoreAccess.ReadWrite);
                var clock = Stopwatch.StartNew();
                long lastMs = -ProgressEveryMs;
                var copier = new JobCopier
                {
                    OnNote = WriteVerbose,
                    OnProgress = p =>
                    {
                        if (_stopping)
                        {
                            throw new PipelineStoppedException(); // the copier removes the partial job
                        }

                        if (clock.ElapsedMilliseconds - lastMs < ProgressEveryMs)
                        {
                            return;
                        }

                        lastMs = clock.ElapsedMilliseconds;
                        progress.StatusDescription = p.ErrorLines == 0
                            ? $"{p.Items:N0} of {p.Total:N0} items"
                            : $"{p.Items:N0} items, {p.ErrorLines:N0} error log lines";
                        progress.PercentComplete = p.Total == 0 ? 100 : (int)System.Math.Min(100, p.Items * 100 / p.Total);
                        WriteProgress(progress);
                        shown = true;
                    },
                };
                if (plan.LiveRuns.Count > 0)
                {
                    WriteWarning($"A run is processing job '{plan.Source.Name}' in '{plan.SourceStore}' (-Force): the items it holds are copied as Pending, and what it finishes after the copy is not in the destination.");
                }

                WriteObject(copier.Copy(source, plan, destination));
            });

            if (shown)
            {
                progress.RecordType = ProgressRecordType.Completed;
                WriteProgress(progress);
            }
        }

        protected override void StopProcessing() => _stopping = true;
    }
}
