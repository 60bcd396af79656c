using System;

namespace BatchOps
{
    /// <summary>The store keeps UTC milliseconds since the epoch; objects show local time, as Get-Item does.</summary>
    internal static class Times
    {
        public static DateTime Local(long unixMs) => DateTimeOffset.FromUnixTimeMilliseconds(unixMs).LocalDateTime;

        public static DateTime? Local(long? unixMs) => unixMs is long ms ? Local(ms) : (DateTime?)null;
    }
}
