using System;
using System.Linq;
using BatchOps.Engine.Storage;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Running
{
    /// <summary>
    /// Bounds a job's run history: a job started every hour by a scheduler would otherwise keep a record of every
    /// run. Only ended runs are removed (their batches and error lines with them); items keep their outcomes.
    /// </summary>
    internal static class RunHistory
    {
        public static void KeepNewest(IJobStore store, BatchJob job, int keep, Action<RunEvent> publish)
        {
            try
            {
                // RemoveRuns keeps any run still recorded as in progress.
                store.RemoveRuns(job, store.GetRuns(job, new RunQuery()).Skip(keep).Select(r => r.RunId).ToList());
            }
            catch (BatchOpsException e)
            {
                publish(new RunWarningEvent { Message = "The run history could not be trimmed: " + e.Message });
            }
        }
    }
}
