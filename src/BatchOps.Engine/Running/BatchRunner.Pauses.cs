using System;
using System.Threading;
using System.Threading.Tasks;
using BatchOps.Engine.Backup;
using BatchOps.Engine.Health;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Storage;

namespace BatchOps.Engine.Running
{
    public sealed partial class BatchRunner
    {
        /// <summary>
        /// The times a run does not claim work: the memory guard, rate-limit pauses, quiet points for backups, idle
        /// polling and deep sleep in continuous mode, and Suspend-BatchRun. Each is recorded as the run's Activity.
        /// </summary>
        private sealed partial class ActiveRun
        {
            private string? _stopMessage;
            private DateTimeOffset _lastBackupTime;

            /// <summary>A run backup is due: BackupEvery batches were started since the last, or BackupInterval passed with work done since.</summary>
            private bool BackupDue() =>
                _tracker.Started >= _nextBackupAt ||
                (_options.BackupInterval is TimeSpan interval && _tracker.Started > _lastBackupAtBatch && _runner._time.GetUtcNow() - _lastBackupTime >= interval);

            /// <summary>
            /// The memory guard: above MaxMemoryPercent, collect and trim, wait, check again; after a few
            /// checks the run is marked paused and says why; it resumes by itself when memory drops. Items in flight
            /// go on meanwhile. Returns false when the run is stopping.
            /// </summary>
            private async Task<bool> GuardMemoryAsync()
            {
                if (_options.MaxMemoryPercent is not double max || max >= 100 || _runner._time.GetTimestamp() < _nextMemoryCheck)
                {
                    return true;
                }

                Func<MemoryReading?> probe = _runner.MemoryProbe ?? SystemMemory.Read;
                MemoryReading? reading = probe();
                _nextMemoryCheck = _runner._time.GetTimestamp() + _runner._time.TimestampFrequency / 4; // at most 4 reads a second
                if (reading == null || reading.Percent <= max)
                {
                    return true;
                }

                string wait = Seconds(_options.MemoryWait);
                _runner.Publish(new RunNoticeEvent { Kind = RunNoticeKind.MemoryHigh, IsWarning = true, Message = $"Memory {Percent(reading.Percent)}% > {Percent(max)}% ({reading.Source}): releasing memory and waiting {wait} s before claiming more work." });
                int checks = 0;
                bool paused = false;
                while (!_dispatchStop.IsCancellationRequested)
                {
                    (long before, long after) = (_runner.ReleaseMemory ?? MemoryRelease.Release)();
                    try
                    {
                        await _runner._time.Delay(_options.MemoryWait, _dispatchStop.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }

                    reading = probe();
                    checks++;
                    if (reading == null || reading.Percent <= max)
                    {
                        string now = reading == null ? "unknown" : Percent(reading.Percent) + "%";
                        _runner.Publish(new RunNoticeEvent { Kind = RunNoticeKind.MemoryRecovered, IsWarning = paused, Message = $"Memory back to {now} after {checks} check(s) (this process released {Megabytes(before - after)} MB); claiming work again." });
                        if (paused)
                        {
                            SetActivity(RunActivity.Processing, null);
                        }

                        return true;
                    }

                    if (!paused && checks >= _options.MemoryChecksBeforePause)
                    {
                        paused = true;
                        string reason = $"memory {Percent(reading.Percent)}% > {Percent(max)}% after {checks} checks {wait} s apart";
                        SetActivity(RunActivity.MemoryPaused, reason);
                        _runner.Publish(new RunNoticeEvent { Kind = RunNoticeKind.MemoryPaused, IsWarning = true, Message = $"Run paused: {reason}. Items in flight go on; it resumes when memory drops below {Percent(max)}% (Stop-BatchRun stops it)." });
                    }
                }

                return false;
            }

            /// <summary>Waits until no item is in flight and every outcome is committed: the store and the processor are at rest.</summary>
            private async Task QuietAsync()
            {
                while (Interlocked.Read(ref _held) > 0 && !_dispatchStop.IsCancellationRequested)
                {
                    await WaitForItemAsync(() => Interlocked.Read(ref _held) > 0).ConfigureAwait(false);
                }

                var flushed = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                if (_records.Writer.TryWrite(new RecorderMessage(flushed)))
                {
                    await flushed.Task.ConfigureAwait(false);
                }
            }

            /// <summary>
            /// Lets the store's clock pass a backup's mark before anything more is claimed, so that every item finished
            /// after the backup has a later time than the mark (a restore reconciles by it). Almost always already so;
            /// a few milliseconds at most.
            /// </summary>
            private async Task PassMarkAsync(long markMs)
            {
                for (int i = 0; i < 20 && _store.NowMs() <= markMs; i++)
                {
                    await Task.Delay(1).ConfigureAwait(false);
                }
            }

            /// <summary>Waits for a quiet point, then backs up. False when the run is stopping (no backup taken).</summary>
            private async Task<bool> BackupAtQuietPointAsync(string reason)
            {
                await QuietAsync().ConfigureAwait(false);
                if (_dispatchStop.IsCancellationRequested)
                {
                    return false;
                }

                await TakeBackupAsync(reason).ConfigureAwait(false);
                _lastBackupAtBatch = _tracker.Started;
                _lastBackupTime = _runner._time.GetUtcNow();
                return true;
            }

            /// <summary>Backs up the vector store (RunOptions.Backup) and records the set's name in the run's checkpoint.</summary>
            private async Task<bool> TakeBackupAsync(string reason)
            {
                BackupRequest template = _options.Backup!;
                var request = new BackupRequest
                {
                    Paths = template.Paths,
                    Destination = template.Destination,
                    Name = template.Name,
                    Retention = template.Retention,
                    Reason = reason,
                    JobMark = new BackupJobMark { Store = _store.Location, Job = _job.Name, RunId = _runId, Batches = _tracker.Completed, TakenMs = _store.NowMs() },
                };
                SetActivity(RunActivity.BackingUp, reason == "RunStart" ? "backup before the first batch" : $"backup after batch {_tracker.Started}");
                try
                {
                    BackupOutcome outcome = await Task.Run(() => new VectorStoreBackupWriter(_runner._time).Create(request, _hard.Token)).ConfigureAwait(false);
                    await PassMarkAsync(request.JobMark!.TakenMs).ConfigureAwait(false);
                    _store.RecordRunBackup(_runId, outcome.Backup.Name);
                    string removed = outcome.Removed.Count > 0 ? $"; retention removed {outcome.Removed.Count} older set(s)" : "";
                    _runner.Publish(new RunNoticeEvent { Kind = RunNoticeKind.BackupCompleted, Message = $"Backed up the vector store to '{outcome.Backup.Path}' ({outcome.Backup.FileCount} file(s), {Megabytes(outcome.Backup.TotalBytes)} MB){removed}." });
                    if (outcome.CountDrop != null)
                    {
                        _runner.Publish(new RunWarningEvent { Message = $"The backup set '{outcome.Backup.Name}' {outcome.CountDrop}: the vector store may have lost data." });
                    }

                    return true;
                }
                catch (Exception e) when (e is BatchOpsException || e is OperationCanceledException)
                {
                    bool full = e is BatchOpsException known && known.ErrorId == ErrorIds.BackupDiskFull;
                    string message = reason == "RunStart"
                        ? "The backup before the first batch failed, so nothing was processed: " + e.Message
                        : full
                            ? "The backup failed, and the run stops (there would be no room for the next one either): " + e.Message
                            : "The backup failed; the run goes on and tries again at the next backup point" + (_options.BackupEvery is int every ? $" (after {every} more batch(es))" : "") + ": " + e.Message;
                    _runner.Publish(new RunNoticeEvent { Kind = RunNoticeKind.BackupFailed, IsWarning = true, Message = message });
                    if (full)
                    {
                        Fail(e); // the run ends with the backup's own error, which gives the free space it saw
                    }
                    else if (reason == "RunStart" && !(e is OperationCanceledException))
                    {
                        Fail(new BatchOpsException(ErrorIds.BackupFailed, BatchOpsErrorCategory.WriteError, message, template.Destination, e));
                    }

                    return false;
                }
                finally
                {
                    SetActivity(RunActivity.Processing, null);
                }
            }

            /// <summary>
            /// Continuous mode, job drained: looks for new items every WakeCheckInterval (one cheap read), and returns
            /// for a full poll (leases that ran out) at intervals growing to MaxPollInterval; after DeepSleepAfter it
            /// releases memory and processor caches.
            /// </summary>
            private async Task IdleAsync()
            {
                TimeProvider time = _runner._time;
                if (_idleSince == null)
                {
                    _idleSince = time.GetTimestamp();
                    _pollInterval = TimeSpan.FromSeconds(1);
                    SetActivity(RunActivity.Idle, "the job is drained; waiting for new items");
                    _runner.Publish(new RunNoticeEvent { Kind = RunNoticeKind.Idle, Message = $"Job '{_job.Name}' drained; waiting for new items (-Continuous)." });
                }

                long pollStart = time.GetTimestamp();
                while (!_dispatchStop.IsCancellationRequested)
                {
                    RunSignals signals = _store.ReadSignals(_runId);
                    if (signals.StopRequested)
                    {
                        _runner.StopGracefully(StopReason.StopRequested);
                        return;
                    }

                    if (signals.SuspendRequested)
                    {
                        NoticeSuspend();
                        return;
                    }

                    if (signals.Pending > 0)
                    {
                        return;
                    }

                    if (time.GetElapsedTime(pollStart) >= _pollInterval)
                    {
                        _pollInterval = TimeSpan.FromTicks(Math.Min(_pollInterval.Ticks * 2, _options.MaxPollInterval.Ticks));
                        return;
                    }

                    // Only with nothing in flight: deep sleep closes the processor's runspaces.
                    if (!_asleep && Interlocked.Read(ref _held) == 0 && time.GetElapsedTime(_idleSince.Value) >= _options.DeepSleepAfter)
                    {
                        Sleep(RunActivity.DeepSleep, $"idle for {Seconds(_options.DeepSleepAfter)} s; wakes when items are added");
                    }

                    try
                    {
                        await time.Delay(_runner.WakeCheckInterval, _dispatchStop.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
            }

            private void Wake(int items)
            {
                TimeSpan idle = _runner._time.GetElapsedTime(_idleSince!.Value);
                _idleSince = null;
                _asleep = false;
                SetActivity(RunActivity.Processing, null);
                _runner.Publish(new RunNoticeEvent { Kind = RunNoticeKind.Woke, Message = $"Woke after {Seconds(idle)} s idle: {items} new item(s) claimed." });
            }

            /// <summary>Deep sleep: processor caches closed (runspaces), memory collected and trimmed.</summary>
            private void Sleep(RunActivity activity, string reason)
            {
                _asleep = true;
                (_runner._processor as IReleasableProcessor)?.ReleaseResources();
                (long before, long after) = (_runner.ReleaseMemory ?? MemoryRelease.Release)();
                SetActivity(activity, reason);
                _runner.Publish(new RunNoticeEvent { Kind = activity == RunActivity.Suspended ? RunNoticeKind.Suspended : RunNoticeKind.DeepSleep, Message = $"Deep sleep ({reason}): working set {Megabytes(before)} MB -> {Megabytes(after)} MB." });
            }

            /// <summary>Suspend-BatchRun: finish what is in flight, sleep deeply until Resume-BatchRun (or a stop).</summary>
            private async Task SuspendAsync()
            {
                await QuietAsync().ConfigureAwait(false);
                Sleep(RunActivity.Suspended, "Suspend-BatchRun; Resume-BatchRun wakes it");
                while (!_dispatchStop.IsCancellationRequested)
                {
                    RunSignals signals = _store.ReadSignals(_runId);
                    if (signals.StopRequested)
                    {
                        _runner.StopGracefully(StopReason.StopRequested);
                        break;
                    }

                    if (!signals.SuspendRequested)
                    {
                        break;
                    }

                    try
                    {
                        await _runner._time.Delay(_runner.WakeCheckInterval, _dispatchStop.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }

                _runner._suspendRequested = false;
                _asleep = false;
                _idleSince = null;
                // Nothing is in flight after a suspend, so the cancelled source can go.
                Interlocked.Exchange(ref _releaseWaiting, CancellationTokenSource.CreateLinkedTokenSource(_runner._graceful.Token)).Dispose();
                SetActivity(RunActivity.Processing, null);
                _runner.Publish(new RunNoticeEvent { Kind = RunNoticeKind.Resumed, Message = "Resumed (Resume-BatchRun)." });
            }

            private void OnRateLimited(RateLimitHit hit)
            {
                string source = hit.FromService ? "as the service asked (Retry-After)" : "";
                string message = $"Rate limited on '{hit.Unit.Item.Key}': {hit.Error} All workers wait {Seconds(hit.Wait)} s {source}".TrimEnd() + "; the attempt is not counted.";
                _records.Writer.TryWrite(new RecorderMessage(new ErrorNote { Key = hit.Unit.Item.Key, Attempt = hit.Unit.Attempt, ErrorType = RateLimitSignal.ErrorType, Message = hit.Error }));
                _runner.Publish(new RunNoticeEvent { Kind = RunNoticeKind.RateLimited, IsWarning = true, Message = message });
                SetActivity(RunActivity.RateLimitPaused, $"{hit.Error} (waiting {Seconds(hit.Wait)} s)");
            }

            private void OnCircuitOpened(string message)
            {
                Interlocked.CompareExchange(ref _stopMessage, message, null); // the summary says why the run stopped
                _runner.Publish(new RunNoticeEvent { Kind = RunNoticeKind.CircuitOpened, IsWarning = true, Message = message });
                _runner.StopGracefully(StopReason.CircuitBroken);
            }

            /// <summary>Records what the run is doing, in the store, when it changes. A store error is a warning, never fatal.</summary>
            private void SetActivity(RunActivity activity, string? reason)
            {
                lock (_activityLock)
                {
                    if (activity == _activity && activity == RunActivity.Processing)
                    {
                        return;
                    }

                    _activity = activity;
                }

                try
                {
                    _store.SetRunActivity(_runId, activity, reason);
                }
                catch (BatchOpsException e)
                {
                    _runner.Publish(new RunWarningEvent { Message = "Could not record the run's activity: " + e.Message });
                }
            }

            private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture);

            private static string Percent(double value) => value.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture);

            private static string Megabytes(long bytes) => (bytes / 1024.0 / 1024).ToString("0", System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
