using System.Management.Automation;
using BatchOps.Engine;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;

using BatchOps.Infrastructure;

namespace BatchOps.Infrastructure
{
    /// <summary>
    /// What Clear-BatchJob and Remove-BatchJob share: jobs by name (or from the pipeline), refused while a live run
    /// is processing them unless -Force, and changed only after ShouldProcess (-WhatIf, -Confirm).
    /// </summary>
    public abstract class JobChangeCommand : JobSelectionCommand
    {
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>The verb for the "cannot ... while it is running" message: "clear", "remove".</summary>
        protected abstract string ChangeVerb { get; }

        /// <summary>The action ShouldProcess names, such as "Remove".</summary>
        protected abstract string ChangeAction { get; }

        /// <summary>What ShouldProcess says will be changed.</summary>
        protected abstract string Describe(BatchJob job, IJobStore store);

        protected abstract void Change(IJobStore store, BatchJob job);

        protected override void ProcessRecord()
        {
            IJobStore store = OpenStore(Store, StoreAccess.ReadWriteExisting);
            foreach (string name in Job)
            {
                TryEngine(() =>
                {
                    BatchJob job = store.GetJob(name);
                    if (!Force)
                    {
                        JobGuards.RequireNoLiveRun(store, job, ChangeVerb);
                    }

                    if (ShouldProcess(Describe(job, store), ChangeAction))
                    {
                        Change(store, job);
                    }
                });
            }
        }
    }
}
