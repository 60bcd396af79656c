using System.Collections.Generic;
using Microsoft.Data.Sqlite;

namespace BatchOps.Engine.Storage
{
    /// <summary>Writes the error log of a SQLite store (the errors table) for claims and commits; <see cref="StatisticsQueries"/> reads it.</summary>
    internal sealed class SqliteErrorLog : IErrorLog
    {
        private readonly SqliteSession _s;

        public SqliteErrorLog(SqliteSession session) => _s = session;

        /// <summary>Adds a line; called inside the caller's write transaction.</summary>
        public void Insert(long jobId, long runId, string key, int attempt, long now, string? type, string? message, string? detail = null)
        {
            SqliteCommand cmd = _s.Cached(
                "errors.insert",
                "INSERT INTO errors (job_id, run_id, item_key, attempt, time_ms, error_type, message, detail) VALUES (@job, @run, @key, @attempt, @now, @type, @message, @detail)",
                ("@detail", detail),
                ("@job", jobId),
                ("@run", runId),
                ("@key", key),
                ("@attempt", attempt),
                ("@now", now),
                ("@type", type),
                ("@message", message));
            cmd.ExecuteNonQuery();
        }
    }
}
