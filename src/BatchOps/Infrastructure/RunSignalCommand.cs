using System.Collections.Generic;
using System.Management.Automation;
using BatchOps.Engine;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;
using BatchOps.Engine.Errors;
using BatchOps.Engine.Platform;

namespace BatchOps.Infrastructure
{
    /// <summary>
    /// What Stop-, Suspend- and Resume-BatchRun share: the live runs of jobs (by name or from the pipeline, in any
    /// process on any machine sharing the store) get a request through the store, after ShouldProcess. A run reads
    /// its requests about once a second.
    /// </summary>
    public abstract class RunSignalCommand : JobSelectionCommand
    {
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <summary>What ShouldProcess says will happen: "Stop at the next item boundary".</summary>
        protected abstract string Action { get; }

        /// <summary>Why there is nothing to do when no run is live: "to stop".</summary>
        protected abstract string Purpose { get; }

        /// <summary>Sends the request; returns what to say in the verbose stream.</summary>
        protected abstract string Signal(IJobStore store, RunRecord run, BatchJob job);

        protected override void ProcessRecord()
        {
            IJobStore store = OpenStore(Store, StoreAccess.ReadWriteExisting);
            foreach (string name in Job)
            {
                TryEngine(() =>
                {
                    BatchJob job = store.GetJob(name);
                    IReadOnlyList<RunRecord> live = RunRecovery.LiveRuns(store, job.Id, RunHost.Current);
                    if (live.Count == 0)
                    {
                        // -WhatIf (or a declined -Confirm) says what would happen; only a real request finds nobody to ask.
                        if (!ShouldProcess($"the runs of job '{job.Name}' (none is in progress now)", Action))
                        {
                            return;
                        }

                        WriteError(ErrorRecords.From(ErrorIds.RunNotActive, ErrorCategory.InvalidOperation, $"Job '{job.Name}' has no run in progress, so there is nothing {Purpose}.", job.Name));
                        return;
                    }

                    foreach (RunRecord run in live)
                    {
                        if (ShouldProcess($"run {run.Id} of job '{job.Name}' on {run.Host} (process {run.ProcessId})", Action))
                        {
                            WriteVerbose(Signal(store, run, job));
                        }
                    }

                    if (PassThru && store.GetCheckpoint(job) is BatchCheckpoint checkpoint)
                    {
                        WriteObject(checkpoint);
                    }
                });
            }
        }
    }
}
