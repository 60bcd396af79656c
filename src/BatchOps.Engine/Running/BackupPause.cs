using System;
using System.Threading.Tasks;
using BatchOps.Engine.Backup;
using BatchOps.Engine.Storage;
using static BatchOps.Engine.Running.RunWording;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Running
{
    /// <summary>
    /// Backups during a run (RunOptions.Backup): before the first batch, every BackupEvery batches or BackupInterval
    /// at a quiet point (nothing in flight, every outcome committed), and at the end for the work since the last one.
    /// The run shows BackingUp meanwhile.
    /// </summary>
    internal sealed class BackupPause
    {
        private readonly RunContext _run;
        private readonly RunOptions _options;
        private long _nextAtBatch;
        private long _lastAtBatch;
        private DateTimeOffset _lastTime;

        public BackupPause(RunContext run)
        {
            _run = run;
            _options = run.Options;
            _nextAtBatch = _options.BackupEvery ?? long.MaxValue;
            _lastTime = run.Time.GetUtcNow();
        }

        /// <summary>A backup is due: BackupEvery batches were started since the last, or BackupInterval passed with work done since.</summary>
        public bool Due =>
            _run.Tracker.Started >= _nextAtBatch ||
            (_options.BackupInterval is TimeSpan interval && _run.Tracker.Started > _lastAtBatch && _run.Time.GetUtcNow() - _lastTime >= interval);

        /// <summary>Batches the run may start before the next BackupEvery backup, or null without BackupEvery.</summary>
        public long? BatchesUntilDue => _options.BackupEvery.HasValue ? _nextAtBatch - _run.Tracker.Started : (long?)null;

        /// <summary>Work was done since the last backup, and the run backs up at all (BackupEvery or BackupInterval).</summary>
        public bool OwesFinal => (_options.BackupEvery.HasValue || _options.BackupInterval.HasValue) && _run.Tracker.Started > _lastAtBatch;

        /// <summary>The backup that was due is taken: the next is BackupEvery batches on.</summary>
        public void ScheduleNext() => _nextAtBatch = _options.BackupEvery is int every ? _run.Tracker.Started + every : long.MaxValue;

        /// <summary>Waits for a quiet point, then backs up. False when the run is stopping (no backup taken).</summary>
        public async Task<bool> AtQuietPointAsync(BackupPoint point)
        {
            await _run.QuietAsync().ConfigureAwait(false);
            if (_run.Control.DispatchStop.IsCancellationRequested)
            {
                return false;
            }

            await TakeAsync(point).ConfigureAwait(false);
            _lastAtBatch = _run.Tracker.Started;
            _lastTime = _run.Time.GetUtcNow();
            return true;
        }

        /// <summary>Backs up the vector store and records the set's name in the run's checkpoint. False if it failed.</summary>
        public async Task<bool> TakeAsync(BackupPoint point)
        {
            BackupRequest template = _options.Backup!;
            var request = new BackupRequest
            {
                Paths = template.Paths,
                Destination = template.Destination,
                Name = template.Name,
                Retention = template.Retention,
                Reason = point.ToString(),
                JobMark = new BackupJobMark { Store = _run.Store.Location, Job = _run.Job.Name, RunId = _run.RunId, Batches = _run.Tracker.Completed, TakenMs = _run.Store.NowMs() },
            };
            bool first = point == BackupPoint.RunStart;
            _run.SetActivity(RunActivity.BackingUp, first ? "backup before the first batch" : $"backup after batch {_run.Tracker.Started}");
            try
            {
                BackupOutcome outcome = await Task.Run(() => new VectorStoreBackupWriter(_run.Time).Create(request, _run.Control.Hard)).ConfigureAwait(false);
                await PassMarkAsync(request.JobMark!.TakenMs).ConfigureAwait(false);
                _run.Store.RecordRunBackup(_run.RunId, outcome.Backup.Name);
                string removed = outcome.Removed.Count > 0 ? $"; retention removed {outcome.Removed.Count} older set(s)" : "";
                _run.Publish(new RunNoticeEvent { Kind = RunNoticeKind.BackupCompleted, Message = $"Backed up the vector store to '{outcome.Backup.Path}' ({outcome.Backup.FileCount} file(s), {Megabytes(outcome.Backup.TotalBytes)} MB){removed}." });
                if (outcome.CountDrop != null)
                {
                    _run.Publish(new RunWarningEvent { Message = $"The backup set '{outcome.Backup.Name}' {outcome.CountDrop}: the vector store may have lost data." });
                }

                return true;
            }
            catch (Exception e) when (e is BatchOpsException || e is OperationCanceledException)
            {
                bool full = e is BatchOpsException known && known.ErrorId == ErrorIds.BackupDiskFull;
                string message = first
                    ? "The backup before the first batch failed, so nothing was processed: " + e.Message
                    : full
                        ? "The backup failed, and the run stops (there would be no room for the next one either): " + e.Message
                        : "The backup failed; the run goes on and tries again at the next backup point" + (_options.BackupEvery is int every ? $" (after {every} more batch(es))" : "") + ": " + e.Message;
                _run.Publish(new RunNoticeEvent { Kind = RunNoticeKind.BackupFailed, IsWarning = true, Message = message });
                if (full)
                {
                    _run.Fail(e); // the run ends with the backup's own error, which gives the free space it saw
                }
                else if (first && !(e is OperationCanceledException))
                {
                    _run.Fail(new BatchOpsException(ErrorIds.BackupFailed, BatchOpsErrorCategory.WriteError, message, template.Destination, e));
                }

                return false;
            }
            finally
            {
                _run.SetActivity(RunActivity.Processing, null);
            }
        }

        /// <summary>
        /// Lets the store's clock pass a backup's mark before anything more is claimed, so that every item finished
        /// after the backup has a later time than the mark (a restore reconciles by it). Almost always already so;
        /// a few milliseconds at most.
        /// </summary>
        private async Task PassMarkAsync(long markMs)
        {
            for (int i = 0; i < 20 && _run.Store.NowMs() <= markMs; i++)
            {
                await Task.Delay(1).ConfigureAwait(false);
            }
        }
    }
}
