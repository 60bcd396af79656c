using System;
using BatchOps.Engine.Backup;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Health
{
    /// <summary>
    /// One step of Watch-BatchHealth: a sample, and with auto-restore, the recovery of a vector store that lost data.
    /// The cmdlet only loops, waits and writes.
    /// </summary>
    public sealed class HealthWatch
    {
        private readonly HealthMonitor _monitor;
        private readonly DataLossRecovery? _recovery;

        public HealthWatch(HealthMonitor monitor, DataLossRecovery? recovery)
        {
            _monitor = monitor;
            _recovery = recovery;
        }

        /// <summary>Takes a sample; on data loss with auto-restore, restores and says so in the sample's Action.</summary>
        /// <param name="onSkipped">Told of each newer backup set skipped (it failed verification, or its item count dropped).</param>
        /// <returns>The sample, and the error of a restore that could not be done (the store is left as it was).</returns>
        public (HealthSample Sample, BatchOpsException? RestoreError) Next(Action<SkippedBackup>? onSkipped = null)
        {
            bool recovered = _recovery?.FinishInterruptedRestore() ?? false;
            HealthSample sample = _monitor.Sample();
            if (recovered)
            {
                sample.Action = "Finished an interrupted restore of the vector store (its journal was left behind).";
            }

            if (_recovery == null || !sample.DataLoss)
            {
                return (sample, null);
            }

            try
            {
                sample.Action = _recovery.Recover(sample, onSkipped);
                _monitor.ResetBaseline(); // the restored store is the reference from now on
                return (sample, null);
            }
            catch (BatchOpsException e)
            {
                sample.Action = "Auto-restore failed: " + e.Message;
                return (sample, e);
            }
        }
    }
}
