using System.Collections.Generic;
using Npgsql;

namespace BatchOps.Engine.Storage.Postgres
{
    /// <summary>The error log of a PostgreSQL store (the errors table): written by claims and commits, read by statistics.</summary>
    internal sealed class PostgresErrorLog
    {
        private readonly PostgresSession _s;

        public PostgresErrorLog(PostgresSession session) => _s = session;

        /// <summary>Adds a line; called inside the caller's write transaction.</summary>
        public void Insert(long jobId, long runId, string key, int attempt, long now, string? type, string? message, string? detail = null) =>
            _s.Execute(
                "INSERT INTO errors (job_id, run_id, item_key, attempt, time_ms, error_type, message, detail) VALUES (@job, @run, @key, @attempt, @now, @type, @message, @detail)",
                ("job", jobId),
                ("run", runId),
                ("key", key),
                ("attempt", attempt),
                ("now", now),
                ("type", type),
                ("message", message),
                ("detail", detail));

        /// <summary>The job's latest <paramref name="last"/> lines, newest first; called under the session's lock.</summary>
        public IReadOnlyList<ErrorEntry> Latest(long jobId, int last)
        {
            var errors = new List<ErrorEntry>();
            using NpgsqlCommand cmd = _s.Command(
                "SELECT run_id, item_key, attempt, time_ms, error_type, message, detail FROM errors WHERE job_id = @job ORDER BY id DESC LIMIT @n",
                ("job", jobId),
                ("n", last));
            using NpgsqlDataReader reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                errors.Add(new ErrorEntry
                {
                    RunId = PostgresSession.NullableLong(reader, 0) ?? 0,
                    Key = PostgresSession.NullableString(reader, 1) ?? "",
                    Attempt = reader.IsDBNull(2) ? 0 : reader.GetInt32(2),
                    Time = Times.Local(reader.GetInt64(3)),
                    ErrorType = PostgresSession.NullableString(reader, 4),
                    Message = PostgresSession.NullableString(reader, 5),
                    Detail = PostgresSession.NullableString(reader, 6),
                });
            }

            return errors;
        }
    }
}
