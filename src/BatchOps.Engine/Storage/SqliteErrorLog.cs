using System.Collections.Generic;
using Microsoft.Data.Sqlite;

namespace BatchOps.Engine.Storage
{
    /// <summary>The error log of a SQLite store (the errors table): written by claims and commits, read by statistics.</summary>
    internal sealed class SqliteErrorLog : IErrorLogReader
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

        /// <summary>The job's latest <paramref name="last"/> lines, newest first; called under the session's lock.</summary>
        public IReadOnlyList<ErrorEntry> Latest(long jobId, int last)
        {
            var errors = new List<ErrorEntry>();
            using var cmd = _s.Command(
                "SELECT run_id, item_key, attempt, time_ms, error_type, message, detail FROM errors WHERE job_id = @job ORDER BY id DESC LIMIT @n",
                ("@job", jobId),
                ("@n", last));
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                errors.Add(new ErrorEntry
                {
                    RunId = SqliteSession.NullableLong(reader, 0) ?? 0,
                    Key = SqliteSession.NullableString(reader, 1) ?? "",
                    Attempt = (int)(SqliteSession.NullableLong(reader, 2) ?? 0),
                    Time = Times.Local(reader.GetInt64(3)),
                    ErrorType = SqliteSession.NullableString(reader, 4),
                    Message = SqliteSession.NullableString(reader, 5),
                    Detail = SqliteSession.NullableString(reader, 6),
                });
            }

            return errors;
        }
    }
}
