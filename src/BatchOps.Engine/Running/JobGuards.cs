using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using BatchOps.Engine.Storage;
using BatchOps.Engine.Errors;
using BatchOps.Engine.Platform;

namespace BatchOps.Engine.Running
{
    /// <summary>Checks before changing a job under a run that is using it.</summary>
    public static class JobGuards
    {
        /// <summary>Refuses (JobBusy) when a live run is processing the job; dead runs do not count.</summary>
        public static void RequireNoLiveRun(IJobStore store, BatchJob job, string action)
        {
            IReadOnlyList<RunRecord> live = RunRecovery.LiveRuns(store, job.Id, RunHost.Current);
            if (live.Count == 0)
            {
                return;
            }

            string runs = string.Join(", ", live.Select(r => string.Format(CultureInfo.InvariantCulture, "run {0} on {1} (process {2})", r.Id, r.Host, r.ProcessId)));
            throw new BatchOpsException(
                ErrorIds.JobBusy,
                BatchOpsErrorCategory.ResourceBusy,
                $"Cannot {action} job '{job.Name}' while it is running: {runs}. Nothing was changed.",
                job.Name);
        }
    }
}
