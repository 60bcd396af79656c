using System;
using System.Management.Automation;
using System.Threading;
using BatchOps.Engine;
using BatchOps.Engine.Health;
using BatchOps.Infrastructure;
using BatchOps.Engine.Errors;

namespace BatchOps.Commands
{
    [Cmdlet(VerbsCommon.Watch, "BatchHealth")]
    [OutputType(typeof(HealthSample))]
    public sealed class WatchBatchHealthCommand : HealthCommand
    {
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();

        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Name")]
        [ArgumentCompleter(typeof(JobNameCompleter))]
        public string? Job { get; set; }

        [Parameter]
        [Duration]
        public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

        [Parameter]
        public int? Count { get; set; }

        [Parameter]
        public SwitchParameter AutoRestore { get; set; }

        protected override void ProcessRecord()
        {
            HealthWatch watch;
            try
            {
                watch = new HealthWatch(CreateMonitor(Job), CreateRecovery());
            }
            catch (BatchOpsException e)
            {
                ThrowTerminating(e); // a watch that cannot start must not look like a quiet one
                return;
            }

            for (int taken = 0; Count == null || taken < Count; taken++)
            {
                if (taken > 0 && _stop.Token.WaitHandle.WaitOne(Interval))
                {
                    return; // stopped
                }

                bool ok = TryEngine(() =>
                {
                    (HealthSample sample, BatchOpsException? restoreError) = watch.Next(skipped => WriteWarning($"Skipped the backup set '{skipped.Name}': {skipped.Reason}"));
                    if (sample.Action != null && restoreError == null)
                    {
                        WriteWarning(sample.Action);
                    }

                    if (restoreError != null)
                    {
                        WriteBatchOpsError(restoreError);
                    }

                    WriteObject(sample);
                });
                if (!ok && taken == 0)
                {
                    return; // the first sample failed (the store is unreadable): no point in watching
                }
            }
        }

        private DataLossRecovery? CreateRecovery()
        {
            HealthParameters.CheckSchedule(Interval, Count);
            if (!AutoRestore)
            {
                return null;
            }

            HealthParameters.CheckAutoRestore(BackupDestination, VectorStorePath?.Length ?? 0);
            string destination = ResolveFileSystemPath(BackupDestination!, "-BackupDestination", ErrorIds.BackupDestinationInvalid);
            if (!System.IO.Directory.Exists(destination))
            {
                // With no folder there is no set to restore from: say so now, not at the moment of a loss.
                throw new BatchOpsException(ErrorIds.BackupDestinationNotFound, BatchOpsErrorCategory.ObjectNotFound, $"The backup folder '{destination}' does not exist, so a loss of the vector store could not be restored.", destination);
            }

            return new DataLossRecovery(destination, BackupName, VectorStorePaths());
        }

        protected override void StopProcessing() => _stop.Cancel();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _stop.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
