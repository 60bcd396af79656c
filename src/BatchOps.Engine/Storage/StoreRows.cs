using System.Data.Common;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// Reading columns the same way from either backend's reader: whole numbers of any width the server gives (both
    /// clients widen or narrow integer, bigint and numeric columns to the type asked for), and NULLs as null.
    /// </summary>
    internal static class StoreRows
    {
        public static long Long(DbDataReader reader, int ordinal) => reader.GetInt64(ordinal);

        public static long? NullableLong(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? (long?)null : Long(reader, ordinal);

        public static int Int(DbDataReader reader, int ordinal) => reader.GetInt32(ordinal);

        public static string? NullableString(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
    }
}
