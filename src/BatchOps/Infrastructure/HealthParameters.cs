using System;
using System.Collections;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using BatchOps.Engine;
using BatchOps.Engine.Health;
using BatchOps.Engine.Errors;

namespace BatchOps.Infrastructure
{
    /// <summary>
    /// The health commands' parameter checks, in parameter names: Watch-BatchHealth's -Interval and -Count, its
    /// -AutoRestore companions, and -Threshold's hashtable bound to the engine's <see cref="HealthThresholds"/>.
    /// </summary>
    internal static class HealthParameters
    {
        /// <summary>Refuses a watch interval outside (0, 1 day], or a -Count below 1.</summary>
        public static void CheckSchedule(TimeSpan interval, int? count)
        {
            double seconds = interval.TotalSeconds;
            if (seconds <= 0 || seconds > 86_400)
            {
                throw BatchOpsException.InvalidArgument(ErrorIds.HealthIntervalInvalid, $"-Interval must be more than 0 and at most 86400 seconds; it was {seconds.ToString(CultureInfo.InvariantCulture)}.", seconds);
            }

            if (count is int n && n < 1)
            {
                throw BatchOpsException.InvalidArgument(ErrorIds.HealthCountInvalid, $"-Count must be 1 or more; it was {n}. Leave it out to watch until stopped.", n);
            }
        }

        /// <summary>Refuses -AutoRestore without -BackupDestination or without -VectorStorePath.</summary>
        public static void CheckAutoRestore(string? backupDestination, int vectorStorePaths)
        {
            if (string.IsNullOrEmpty(backupDestination) || vectorStorePaths == 0)
            {
                throw BatchOpsException.InvalidArgument(ErrorIds.AutoRestoreInvalid, "-AutoRestore needs -VectorStorePath (what to watch) and -BackupDestination (where its backup sets are).", backupDestination);
            }
        }

        /// <summary>
        /// -Threshold: a hashtable of HealthThresholds property names (any case) to values. Durations take a TimeSpan,
        /// a TimeSpan string ("00:10:00") or a number of minutes. An unknown name or a bad value is refused.
        /// </summary>
        public static HealthThresholds Thresholds(IDictionary? values)
        {
            var thresholds = new HealthThresholds();
            if (values == null)
            {
                return thresholds;
            }

            PropertyInfo[] properties = typeof(HealthThresholds).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).ToArray();
            foreach (DictionaryEntry entry in values)
            {
                string name = Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? "";
                PropertyInfo? property = properties.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
                if (property == null)
                {
                    throw BatchOpsException.InvalidArgument(ErrorIds.HealthThresholdInvalid, $"'{name}' is not a health threshold. Use one of: {string.Join(", ", properties.Select(p => p.Name))}.", name);
                }

                try
                {
                    property.SetValue(thresholds, ConvertTo(PSValue.Unwrap(entry.Value), property.PropertyType));
                }
                catch (Exception e) when (e is FormatException || e is InvalidCastException || e is OverflowException)
                {
                    throw BatchOpsException.InvalidArgument(ErrorIds.HealthThresholdInvalid, $"The threshold {property.Name} = '{entry.Value}' is not a valid {(property.PropertyType == typeof(TimeSpan) ? "duration (a TimeSpan or a number of minutes)" : "number")}.", entry.Value);
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
                    _ => TimeSpan.FromMinutes(Convert.ToDouble(value, CultureInfo.InvariantCulture)),
                };
            }

            return Convert.ChangeType(value, type, CultureInfo.InvariantCulture)!;
        }
    }
}
