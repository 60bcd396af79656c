using System;
using System.Globalization;
using System.Management.Automation;

namespace BatchOps.Infrastructure
{
    /// <summary>
    /// Lets every duration parameter take a number of seconds (90, 0.5, '90'), a TimeSpan, or a TimeSpan string
    /// ('02:00:00'). Without it PowerShell converts a number to a TimeSpan as ticks, so -MaxDuration 60 meant 6 µs.
    /// Range checks (negative, zero, too long) stay with the command, which refuses them with its own ErrorId.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class DurationAttribute : ArgumentTransformationAttribute
    {
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData) => ToTimeSpan(inputData);

        /// <summary>The duration a value stands for; anything else is left to PowerShell's own conversion.</summary>
        public static object? ToTimeSpan(object? value)
        {
            value = PSValue.Unwrap(value);
            switch (value)
            {
                case null:
                case TimeSpan _:
                    return value;
                case string text:
                    return Parse(text.Trim());
                case double _:
                case float _:
                case decimal _:
                case int _:
                case long _:
                case short _:
                case byte _:
                case sbyte _:
                case ushort _:
                case uint _:
                case ulong _:
                    return FromSeconds(Convert.ToDouble(value, CultureInfo.InvariantCulture), value);
                default:
                    return value;
            }
        }

        private static TimeSpan Parse(string text)
        {
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds))
            {
                return FromSeconds(seconds, text);
            }

            if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out TimeSpan span))
            {
                return span;
            }

            throw new ArgumentTransformationMetadataException($"'{text}' is not a duration. Give a number of seconds (such as 90 or 0.5) or a TimeSpan such as 02:00:00.");
        }

        private static TimeSpan FromSeconds(double seconds, object original)
        {
            if (double.IsNaN(seconds) || double.IsInfinity(seconds) || Math.Abs(seconds) * TimeSpan.TicksPerSecond > 9.0e18)
            {
                throw new ArgumentTransformationMetadataException($"{Convert.ToString(original, CultureInfo.InvariantCulture)} is not a duration PowerShell can hold. Give a number of seconds (such as 90 or 0.5) or a TimeSpan such as 02:00:00.");
            }

            // Ticks, not TimeSpan.FromSeconds: older runtimes round that to whole milliseconds.
            return TimeSpan.FromTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));
        }
    }
}
