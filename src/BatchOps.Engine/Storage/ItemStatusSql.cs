using System.Globalization;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// <see cref="ItemStatus"/> numbers as SQL literals, for the statements of both backends. Literals, not
    /// parameters, because only then can SQLite (and PostgreSQL, planning generically) use the partial index of a status.
    /// </summary>
    internal static class ItemStatusSql
    {
        public static readonly string Pending = Of(ItemStatus.Pending);

        public static readonly string Running = Of(ItemStatus.Running);

        public static readonly string Succeeded = Of(ItemStatus.Succeeded);

        public static readonly string Failed = Of(ItemStatus.Failed);

        /// <summary>The statuses of finished items, for <c>status IN (...)</c>.</summary>
        public static readonly string Finished = Succeeded + ", " + Failed;

        public static string Of(ItemStatus status) => ((int)status).ToString(CultureInfo.InvariantCulture);
    }
}
