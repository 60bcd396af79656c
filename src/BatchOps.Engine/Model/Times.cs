using System;

namespace BatchOps
{
    /// <summary>The store keeps UTC milliseconds since the epoch; objects show local time, as Get-Item does.</summary>
    internal static class Times
    {
        public static DateTime Local(long unixMs) => DateTimeOffset.FromUnixTimeMilliseconds(unixMs).LocalDateTime;

        public static DateTime? Local(long? unixMs) => unixMs is long ms ? Local(ms) : (DateTime?)null;

        /// <summary>The store's milliseconds of a time an object shows (exact: a local time keeps its daylight-saving side).</summary>
        public static long Ms(DateTime time) => new DateTimeOffset(time.ToUniversalTime()).ToUnixTimeMilliseconds();

        public static long? Ms(DateTime? time) => time is DateTime t ? Ms(t) : (long?)null;
    }
}
