using System;
using System.Collections;
using System.Globalization;
using System.Linq;
using System.Reflection;
using BatchOps.Engine.Backup;

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

        /// <summary>Refuses a watch interval outside (0, 1 day] seconds, or a sample count below 1.</summary>
        public static void CheckSchedule(double intervalSeconds, int? count)
        {
            if (intervalSeconds <= 0 || double.IsNaN(intervalSeconds) || intervalSeconds > 86_400)
            {
                throw BatchOpsException.InvalidArgument(ErrorIds.InvalidHealthInterval, $"-Interval must be more than 0 and at most 86400 seconds; it was {intervalSeconds.ToString(CultureInfo.InvariantCulture)}.", intervalSeconds);
            }

            if (count is int n && n < 1)
            {
                throw BatchOpsException.InvalidArgument(ErrorIds.InvalidHealthCount, $"-Count must be 1 or more; it was {n}. Leave it out to watch until stopped.", n);
            }
        }

        /// <summary>
        /// Thresholds from a hashtable of HealthThresholds property names (any case). Durations take a TimeSpan, a
        /// TimeSpan string ("00:10:00") or a number of minutes. An unknown name or a bad value is refused. The values are
        /// plain .NET values: the module unwraps PowerShell's.
        /// </summary>
        public static HealthThresholds ThresholdsFrom(IDictionary? values)
        {
            var thresholds = new HealthThresholds();
            if (values == null)
            {
                return thresholds;
            }

            PropertyInfo[] properties = typeof(HealthThresholds).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).ToArray();
            foreach (DictionaryEntry entry in values)
            {
                string name = System.Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? "";
                PropertyInfo? property = properties.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
                if (property == null)
                {
                    throw BatchOpsException.InvalidArgument(ErrorIds.InvalidHealthThreshold, $"'{name}' is not a health threshold. Use one of: {string.Join(", ", properties.Select(p => p.Name))}.", name);
                }

                try
                {
                    property.SetValue(thresholds, ConvertTo(entry.Value, property.PropertyType));
                }
                catch (Exception e) when (e is FormatException || e is InvalidCastException || e is OverflowException)
                {
                    throw BatchOpsException.InvalidArgument(ErrorIds.InvalidHealthThreshold, $"The threshold {property.Name} = '{entry.Value}' is not a valid {(property.PropertyType == typeof(TimeSpan) ? "duration (a TimeSpan or a number of minutes)" : "number")}.", entry.Value);
                }
            }

            thresholds.Validate();
            return thresholds;
        }

        private static object ConvertTo(object? value, Type type)
        {
            if (type == typeof(TimeSpan))
            {
                return value switch
                {
                    TimeSpan span => span,
                    string text when TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out TimeSpan parsed) => parsed,
                    string text => TimeSpan.FromMinutes(double.Parse(text, CultureInfo.InvariantCulture)),
                    _ => TimeSpan.FromMinutes(System.Convert.ToDouble(value, CultureInfo.InvariantCulture)),
                };
            }

            return System.Convert.ChangeType(value, type, CultureInfo.InvariantCulture)!;
        }
    }
}
