using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using BatchOps.Engine.Diagnostics;
using BatchOps.Engine.Storage;

namespace BatchOps.Engine.Running
{
    /// <summary>
    /// The group-commit recorder: writes every outcome, retry and note that has arrived in one store transaction,
    /// closing finished batches and the checkpoint in the same transaction, then publishes what was committed
    /// (failed items, completed batches, progress at most four times a second).
    /// </summary>
    internal sealed class Recorder
    {
        private const int MaxMessagesPerCommit = 4_096;
        private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);

        private readonly RunContext _run;
        private readonly RunTally _tally;
        private long _lastProgressMs;

        public Recorder(RunContext run)
        {
            _run = run;
            _tally = run.Tally;
        }

        public async Task RecordAsync()
        {
            ChannelReader<RecorderMessage> reader = _run.Records.Reader;
            var completed = new List<BatchRecord>();
            var failures = new List<ItemOutcome>();
            var flushes = new List<TaskCompletionSource<bool>>();
            try
            {
                while (await reader.WaitToReadAsync().ConfigureAwait(false))
                {
                    long profiled = RunProfile.Start();
                    var commit = new RunCommit { JobId = _run.Job.Id, RunId = _run.RunId };
                    completed.Clear();
                    long now = _run.Store.NowMs();
                    int taken = 0;
                    while (taken < MaxMessagesPerCommit && reader.TryRead(out RecorderMessage message))
                    {
                        taken++;
                        if (message.Kind == RecorderMessageKind.Retry)
                        {
                            commit.Retries.Add(message.Retry!);
                            continue;
                        }

                        if (message.Kind == RecorderMessageKind.Note)
                        {
                            commit.Notes.Add(message.Note!);
                            continue;
                        }

                        if (message.Kind == RecorderMessageKind.Flush)
                        {
                            flushes.Add(message.Flushed!);
                            continue;
                        }

                        if (message.Kind == RecorderMessageKind.Outcomes)
                        {
                            OutcomeGroup group = message.Group!;
                            taken += group.Count - 1;
                            for (int i = 0; i < group.Count; i++)
                            {
                                AddOutcome(commit, completed, group.Outcomes[i], group.Batches[i], now);
                            }

                            continue;
                        }

                        AddOutcome(commit, completed, message.Outcome!, message.Batch, now);
                    }

                    commit.Checkpoint = new RunCheckpointUpdate
                    {
                        State = RunState.Running,
                        BatchesStarted = _run.Tracker.Started,
                        BatchesCompleted = _run.Tracker.Completed,
                        Claimed = Interlocked.Read(ref _tally.Claimed),
                    };

                    long committing = RunProfile.Start();
                    CommitResult result = _run.Store.Commit(commit);
                    RunProfile.Stop(RunProfile.Phase.Commit, committing, commit.Outcomes.Count);
                    foreach (TaskCompletionSource<bool> flushed in flushes)
                    {
                        flushed.TrySetResult(true);
                    }

                    flushes.Clear();
                    failures.Clear();
                    for (int i = 0; i < commit.Outcomes.Count; i++)
                    {
                        ItemOutcome outcome = commit.Outcomes[i];
                        if (!result.Accepted[i])
                        {
                            _run.Publish(new RunWarningEvent { Message = $"The outcome of item '{outcome.Key}' was not recorded: its lease expired and another run took the item over (it is processed there)." });
                            continue;
                        }

                        switch (outcome.Kind)
                        {
                            case OutcomeKind.Succeeded:
                                _tally.Succeeded++;
                                break;
                            case OutcomeKind.Failed:
                                Interlocked.Increment(ref _tally.Failed);
                                failures.Add(outcome);
                                break;
                        }
                    }

                    _tally.RecordRate(now);
                    if (_run.HasListener && (completed.Count > 0 || now - _lastProgressMs >= ProgressInterval.TotalMilliseconds))
                    {
                        _run.Live.Refresh(); // what is published next counts items added since the run started
                    }
                    foreach (ItemOutcome failure in failures)
                    {
                        _run.Publish(new ItemFailedEvent { Key = failure.Key, Attempts = failure.Attempt, Error = failure.Error ?? "", ErrorType = failure.ErrorType });
                    }

                    foreach (BatchRecord batch in completed)
                    {
                        _run.BatchRecorded.Release();
                        _run.ResultFiles?.Committed(batch.Number);
                        if (!_run.HasListener)
                        {
                            continue;
                        }

                        _run.Publish(new BatchCompletedEvent
                        {
                            Number = batch.Number,
                            Items = batch.Items,
                            Succeeded = batch.Succeeded,
                            Failed = batch.Failed,
                            Released = batch.Released,
                            Duration = TimeSpan.FromMilliseconds(Math.Max(0, batch.CompletedMs - batch.StartedMs)),
                            Progress = _tally.Snapshot(_run),
                        });
                    }

                    if (_run.HasListener && now - _lastProgressMs >= ProgressInterval.TotalMilliseconds)
                    {
                        _lastProgressMs = now;
                        _run.Publish(new ProgressEvent { Progress = _tally.Snapshot(_run) });
                    }

                    RunProfile.Stop(RunProfile.Phase.Record, profiled, commit.Outcomes.Count);
                }
            }
            catch (Exception e)
            {
                _run.Fail(e);
                foreach (TaskCompletionSource<bool> flushed in flushes)
                {
                    flushed.TrySetResult(false);
                }

                // Keep draining so that no worker (or a dispatcher waiting for a quiet point) waits on a recorder that is gone.
                while (await reader.WaitToReadAsync().ConfigureAwait(false))
                {
                    while (reader.TryRead(out RecorderMessage message))
                    {
                        message.Flushed?.TrySetResult(false);
                    }
                }
            }
        }

        private void AddOutcome(RunCommit commit, List<BatchRecord> completed, ItemOutcome outcome, long batch, long now)
        {
            commit.Outcomes.Add(outcome);
            if (_run.Tracker.Count(batch, outcome.Kind, now) is BatchRecord done)
            {
                commit.Batches.Add(done);
                completed.Add(done);
            }
        }
    }
}
