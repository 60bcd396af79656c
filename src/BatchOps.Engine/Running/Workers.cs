using System;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using BatchOps.Engine.Diagnostics;
using BatchOps.Engine.Storage;

namespace BatchOps.Engine.Running
{
    /// <summary>
    /// The workers: each takes claimed items from the queue and processes them, with no barrier between batches.
    /// Outcomes go to the recorder in groups (see <see cref="OutcomeGroup"/>). On a stop, and on a suspend while the run
    /// still claims, items not started go back unprocessed.
    /// </summary>
    internal sealed class Workers
    {
        private readonly RunContext _run;
        private readonly RunControl _control;
        private readonly RunTally _tally;
        private readonly PrefetchPolicy _prefetch;

        public Workers(RunContext run, PrefetchPolicy prefetch)
        {
            _run = run;
            _control = run.Control;
            _tally = run.Tally;
            _prefetch = prefetch;
        }

        /// <summary>Starts <paramref name="count"/> workers; the tasks end when the queue is completed and empty.</summary>
        public Task[] Start(int count)
        {
            var workers = new Task[count];
            for (int i = 0; i < workers.Length; i++)
            {
                int index = i;
                workers[i] = Task.Run(() => WorkAsync(index));
            }

            return workers;
        }

        /// <summary>A retry the executor is about to make: the recorder notes it, the events say it.</summary>
        public void OnRetry(WorkUnit unit, ItemRetry retry)
        {
            _run.Records.Writer.TryWrite(new RecorderMessage(retry));
            _run.Publish(new ItemRetryingEvent { Key = retry.Key, Attempt = retry.Attempt, Error = retry.Error });
        }

        private async Task WorkAsync(int worker)
        {
            var finished = new OutcomeGroup();
            ItemExecutor executor = _run.Executor;
            try
            {
                ChannelReader<WorkUnit> reader = _run.Work.Reader;
                while (true)
                {
                    if (!reader.TryPeek(out _))
                    {
                        finished = HandOver(finished); // before waiting for the next items
                        if (!await reader.WaitToReadAsync().ConfigureAwait(false))
                        {
                            break;
                        }
                    }

                    while (reader.TryRead(out WorkUnit? unit))
                    {
                        ItemOutcome outcome;
                        if (_control.Stopping)
                        {
                            outcome = Release(unit);
                            _control.StopTookEffect();
                        }
                        else if (_control.ReleaseForSuspend())
                        {
                            outcome = Release(unit); // not started: back to pending, claimed again after Resume-BatchRun
                        }
                        else
                        {
                            unit.Worker = worker;
                            long profiled = RunProfile.Start();
                            Task<ItemOutcome> running = executor.ExecuteAsync(unit, _control.Hard, _control.ReleaseWaiting);
                            if (!running.IsCompleted)
                            {
                                finished = HandOver(finished); // what is finished does not wait for this item
                            }

                            outcome = await running.ConfigureAwait(false);
                            RunProfile.Stop(RunProfile.Phase.Execute, profiled, 1);
                            if (outcome.Kind == OutcomeKind.Released && (!unit.ReleasedAtGate || _control.Stopping))
                            {
                                _control.StopTookEffect(); // let go for a stop (one at the rate-limit gate may be for a suspend)
                            }
                        }

                        if (outcome.Kind != OutcomeKind.Released)
                        {
                            _prefetch.Observe(outcome.DurationMs);
                        }

                        finished.Add(outcome, unit.Batch);
                        if (finished.IsFull || outcome.DurationMs > 0)
                        {
                            // Grouping pays only for items that take no time; a slower one goes at once.
                            finished = HandOver(finished);
                        }
                    }
                }
            }
            catch (Exception e)
            {
                _run.Fail(e);
            }
            finally
            {
                HandOver(finished);
            }
        }

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

            Interlocked.Add(ref _tally.LocalSucceeded, finished.Succeeded);
            _run.Records.Writer.TryWrite(new RecorderMessage(finished));
            Interlocked.Add(ref _tally.Held, -finished.Count);
            if (Interlocked.Exchange(ref _run.DispatcherWaiting, 0) == 1)
            {
                _run.ItemFinished.Release();
            }

            return new OutcomeGroup();
        }

        private static ItemOutcome Release(WorkUnit unit) => new ItemOutcome
        {
            ItemId = unit.Item.Id,
            LeaseToken = unit.Item.LeaseToken,
            LeasePosition = unit.Item.LeasePosition,
            Key = unit.Item.Key,
            Kind = OutcomeKind.Released,
            Attempt = unit.Attempt,
            UndoAttempt = true,
        };
    }
}
