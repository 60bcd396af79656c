using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;
using BatchOps.Engine.Platform;

namespace BatchOps.Engine.Health
{
    /// <summary>
    /// Takes health samples: reads the probes and the job's store, judges them with <see cref="HealthEvaluator"/>,
    /// and remembers the vector store's best reading so that a later drop shows as a loss. One monitor per watch.
    /// </summary>
    public sealed class HealthMonitor
    {
        private readonly IJobStore? _store;
        private readonly string? _jobName;
        private readonly IReadOnlyList<string> _vectorStore;
        private readonly HealthThresholds _thresholds;
        private readonly IHealthProbes _probes;

        /// <param name="store">The job store (null: no job figures).</param>
        /// <param name="jobName">The job to judge (null: machine and vector store only).</param>
        /// <param name="vectorStorePaths">The vector store's files and folders (empty: not watched).</param>
        /// <param name="thresholds">Null for the defaults.</param>
        /// <param name="probes">Null for this machine's.</param>
        /// <param name="baseline">What the vector store held before (its last backup), so that a first sample already sees a loss.</param>
        /// <param name="baselineRaised">Told each time the baseline rises (or is set again after <see cref="ResetBaseline"/>), to keep it.</param>
        public HealthMonitor(IJobStore? store, string? jobName, IReadOnlyList<string>? vectorStorePaths, HealthThresholds? thresholds = null, IHealthProbes? probes = null, VectorStoreReading? baseline = null, Action<VectorStoreReading>? baselineRaised = null)
        {
            _baselineRaised = baselineRaised;
            Baseline = baseline;
            _store = store;
            _jobName = jobName;
            _vectorStore = vectorStorePaths ?? Array.Empty<string>();
            _thresholds = thresholds ?? new HealthThresholds();
            _thresholds.Validate();
            _probes = probes ?? HealthProbes.System;
        }

        /// <summary>The best vector store reading so far: the one a drop is measured from.</summary>
        public VectorStoreReading? Baseline { get; private set; }

        private readonly Action<VectorStoreReading>? _baselineRaised;

        /// <summary>Forgets the baseline (after a restore, the restored store is the new reference).</summary>
        public void ResetBaseline() => Baseline = null;

        public HealthSample Sample()
        {
            long now = _store?.NowMs() ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            BatchJob? job = null;
            BatchCheckpoint? checkpoint = null;
            JobActivity? activity = null;
            if (_store != null && _jobName != null)
            {
                job = _store.GetJob(_jobName);
                checkpoint = _store.GetCheckpoint(job);
                activity = _store.GetRecentActivity(job, now - (long)_thresholds.Window.TotalMilliseconds, _thresholds.ErrorRateMinItems);
            }

            MemoryReading? memory = _probes.ReadMemory();
            // The run's own process when it runs on this machine (the watcher's memory says little), else this one.
            int? runProcess = checkpoint != null && checkpoint.State == RunState.Running && checkpoint.ProcessId is int pid
                && string.Equals(checkpoint.Host, RunHost.Current.Machine, StringComparison.OrdinalIgnoreCase) ? pid : (int?)null;
            ProcessMemoryReading? process = runProcess != null ? _probes.ReadProcess(runProcess) : null;
            if (process == null)
            {
                runProcess = null;
                process = _probes.ReadProcess(null);
            }

            // Free space where the work is written: the job store's volume, else the vector store's.
            string? diskPath = _store != null && File.Exists(_store.Location) ? _store.Location : _vectorStore.FirstOrDefault(p => File.Exists(p) || Directory.Exists(p));
            DiskReading? disk = diskPath != null ? _probes.ReadDisk(diskPath) : null;
            VectorStoreReading? vectorStore = _vectorStore.Count > 0 ? _probes.ReadVectorStore(_vectorStore) : null;

            HealthVerdict verdict = HealthEvaluator.Evaluate(
                new HealthInputs
                {
                    NowMs = now,
                    Memory = memory,
                    Disk = disk,
                    Job = job,
                    Checkpoint = checkpoint,
                    Activity = activity,
                    VectorStore = vectorStore,
                    VectorStoreBaseline = Baseline,
                },
                _thresholds);

            if (vectorStore != null && !vectorStore.Missing && IsBetter(vectorStore, Baseline))
            {
                Baseline = vectorStore;
                _baselineRaised?.Invoke(vectorStore);
            }

            long remaining = job == null ? 0 : job.Pending + job.Running;
            const long MB = 1024 * 1024;
            return new HealthSample
            {
                Time = DateTimeOffset.FromUnixTimeMilliseconds(now).LocalDateTime,
                Status = verdict.Status,
                Reasons = verdict.Reasons.ToArray(),
                Job = job?.Name,
                MemoryPercent = memory == null ? (double?)null : Math.Round(memory.Percent, 1),
                MemoryUsedMB = memory?.UsedBytes / MB,
                MemoryTotalMB = memory?.TotalBytes / MB,
                MemorySource = memory?.Source,
                ProcessId = runProcess ?? RunHost.Current.ProcessId,
                ProcessMemoryMB = (process?.WorkingSetBytes ?? 0) / MB,
                PeakProcessMemoryMB = (process?.PeakWorkingSetBytes ?? 0) / MB,
                DiskFreePercent = disk == null ? (double?)null : Math.Round(disk.FreePercent, 1),
                DiskFreeGB = disk == null ? (double?)null : Math.Round(disk.FreeBytes / 1024.0 / MB, 1),
                ErrorRate = verdict.ErrorRate,
                ErrorRateItems = activity?.WindowItems ?? 0,
                ErrorsByType = activity?.ErrorsByType ?? new Dictionary<string, long>(),
                LatestErrors = activity?.LatestErrors ?? Array.Empty<ErrorEntry>(),
                RateLimitEvents = activity?.RateLimitEvents ?? 0,
                ItemsPerSecond = activity == null ? (double?)null : Math.Round(activity.ItemsPerSecond, 3),
                // Time left only while a run is working: a job nobody runs has no end in sight.
                Eta = activity == null || activity.ActiveRuns == 0 || checkpoint?.State == RunState.Abandoned ? null : ProgressCalculator.Eta(activity.ItemsPerSecond, remaining),
                LastProgress = activity?.LastProgressMs is long last ? DateTimeOffset.FromUnixTimeMilliseconds(last).LocalDateTime : (DateTime?)null,
                VectorStoreItems = vectorStore?.Items,
                VectorStoreBytes = vectorStore?.Bytes,
                VectorStoreLoss = verdict.VectorStoreLoss,
                VectorStoreMissing = vectorStore?.Missing ?? false,
                Checkpoint = checkpoint,
                Store = _store?.Location ?? "",
            };
        }

        private static bool IsBetter(VectorStoreReading reading, VectorStoreReading? baseline)
        {
            if (baseline == null)
            {
                return true;
            }

            if (reading.Items is long items && baseline.Items is long was)
            {
                return items > was || (items == was && reading.Bytes > baseline.Bytes);
            }

            return reading.Bytes > baseline.Bytes;
        }
    }
}
