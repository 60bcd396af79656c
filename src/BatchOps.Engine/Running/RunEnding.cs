using System;
using BatchOps.Engine.Storage;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Running
{
    /// <summary>
    /// The end of a run: its state and stop reason as <see cref="RunControl"/> recorded them, the final checkpoint,
    /// and the summary, which carries the run's failure if it failed.
    /// </summary>
    internal static class RunEnding
    {
        public static BatchRunSummary Finish(RunContext run, EnqueueResult? input)
        {
            Exception? fatal = run.Control.Fatal;
            (RunState state, StopReason reason) = run.Control.Outcome();
            if (RunContext.JobRemoved(fatal))
            {
                return Removed(run, input, fatal);
            }

            string? message = fatal?.Message ?? (state == RunState.Stopped ? run.Control.StopMessage : null);
            try
            {
                var final = new RunCommit { JobId = run.Job.Id, RunId = run.RunId };
                final.Checkpoint = new RunCheckpointUpdate
                {
                    State = state,
                    StopReason = reason,
                    BatchesStarted = run.Tracker.Started,
                    BatchesCompleted = run.Tracker.Completed,
                    Claimed = System.Threading.Interlocked.Read(ref run.Tally.Claimed),
                    Message = message,
                    Final = true,
                };
                run.Store.Commit(final);
            }
            catch (BatchOpsException e) when (RunContext.JobRemoved(e))
            {
                return Removed(run, input, e);
            }
            catch (Exception e) when (fatal != null)
            {
                message += " The final checkpoint could not be written either: " + e.Message;
            }

            BatchJob after;
            try
            {
                after = run.Store.FindJob(run.Job.Name) ?? run.Job;
            }
            catch (Exception) when (fatal != null)
            {
                after = run.Job;
            }

            return run.Tally.Summary(run, state, reason, after, input, message, fatal);
        }

        /// <summary>
        /// The end of a run whose job was removed (or cleared) under it: nothing is left to checkpoint, so the
        /// summary is all that says what the run did before, and why it stopped. A stop, not a failure.
        /// </summary>
        private static BatchRunSummary Removed(RunContext run, EnqueueResult? input, Exception? removal) =>
            run.Tally.Summary(run, RunState.Stopped, StopReason.JobRemoved, null, input, removal?.Message, null);
    }
}
