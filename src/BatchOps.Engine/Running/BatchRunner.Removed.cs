using System;
using System.Threading;
using BatchOps.Engine.Storage;

namespace BatchOps.Engine.Running
{
    public sealed partial class BatchRunner
    {
        private sealed partial class ActiveRun
        {
            private static bool JobRemoved(Exception? e) => e is BatchOpsException known && known.ErrorId == ErrorIds.JobRemoved;

            /// <summary>
            /// The end of a run whose job was removed (or cleared) under it: nothing is left to checkpoint, so the
            /// summary is all that says what the run did before, and why it stopped.
            /// </summary>
            private BatchRunSummary RemovedSummary(EnqueueResult? input)
            {
                _stopReason = StopReason.JobRemoved;
                TimeSpan duration = _clock.Elapsed;
                long failed = Interlocked.Read(ref _failed);
                return new BatchRunSummary
                {
                    Job = _job.Name,
                    RunId = _runId,
                    State = RunState.Stopped,
                    StopReason = StopReason.JobRemoved,
                    Added = input?.Added ?? 0,
                    Skipped = input?.AlreadyDone ?? 0,
                    Succeeded = _succeeded,
                    Failed = failed,
                    Batches = _tracker.Completed,
                    Duration = duration,
                    ItemsPerSecond = duration.TotalSeconds > 0 ? (_succeeded + failed) / duration.TotalSeconds : 0,
                    Message = _fatal?.Message,
                    Store = _store.Location,
                };
            }
        }
    }
}
