using System.Collections.Generic;
using System.Threading;
using BatchOps.Engine.Storage;

namespace BatchOps.Engine.Running
{
    /// <summary>How workers hand finished outcomes to the recorder in groups (see <see cref="OutcomeGroup"/>).</summary>
    public sealed partial class BatchRunner
    {
        private sealed partial class ActiveRun
        {
            /// <summary>
            /// Gives a worker's finished outcomes to the recorder; only then do they stop counting as held, so a quiet
            /// point (no item held) still means every outcome is on its way to the store. Returns the group to fill next.
            /// </summary>
            private OutcomeGroup HandOver(OutcomeGroup finished)
            {
                if (finished.Count == 0)
                {
                    return finished;
                }

                Interlocked.Add(ref _localSucceeded, finished.Succeeded);
                _records.Writer.TryWrite(new RecorderMessage(finished));
                Interlocked.Add(ref _held, -finished.Count);
                if (Interlocked.Exchange(ref _dispatcherWaiting, 0) == 1)
                {
                    _itemFinished.Release();
                }

                return new OutcomeGroup();
            }

            private void AddOutcome(RunCommit commit, List<BatchRecord> completed, ItemOutcome outcome, long batch, long now)
            {
                commit.Outcomes.Add(outcome);
                if (_tracker.Count(batch, outcome.Kind, now) is BatchRecord done)
                {
                    commit.Batches.Add(done);
                    completed.Add(done);
                }
            }
        }
    }
}
