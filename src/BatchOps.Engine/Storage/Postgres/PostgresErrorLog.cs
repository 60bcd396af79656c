using System.Collections.Generic;
using System.Linq;
using Npgsql;
using NpgsqlTypes;

namespace BatchOps.Engine.Storage.Postgres
{
    /// <summary>Writes the error log of a PostgreSQL store (the errors table) for claims and commits, a line or a commit's lines in one statement; <see cref="StatisticsQueries"/> reads it.</summary>
    internal sealed class PostgresErrorLog : IErrorLog
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

        /// <summary>
        /// Adds many lines of one run in one statement, in the order given (a commit's failures: one round trip, not
        /// one per item); called inside the caller's write transaction.
        /// </summary>
        public void InsertAll(long jobId, long runId, long now, IReadOnlyList<ErrorLine> lines)
        {
            if (lines.Count == 0)
            {
                return;
            }

            using NpgsqlCommand cmd = _s.Command(
                "INSERT INTO errors (job_id, run_id, item_key, attempt, time_ms, error_type, message, detail) " +
                "SELECT @job, @run, k, a, @now, t, m, d FROM unnest(@keys, @attempts, @types, @messages, @details) WITH ORDINALITY AS l(k, a, t, m, d, n) ORDER BY n",
                ("job", jobId),
                ("run", runId),
                ("now", now));
            cmd.Parameters.Add(new NpgsqlParameter("keys", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = lines.Select(l => l.Key).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter("attempts", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = lines.Select(l => l.Attempt).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter("types", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = lines.Select(l => l.Type).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter("messages", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = lines.Select(l => l.Message).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter("details", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = lines.Select(l => l.Detail).ToArray() });
            cmd.ExecuteNonQuery();
        }
    }

    /// <summary>A line for <see cref="PostgresErrorLog.InsertAll"/>.</summary>
    internal readonly struct ErrorLine
    {
        public ErrorLine(string key, int attempt, string? type, string? message, string? detail)
        {
            Key = key;
            Attempt = attempt;
            Type = type;
            Message = message;
            Detail = detail;
        }

        public string Key { get; }

        public int Attempt { get; }

        public string? Type { get; }

        public string? Message { get; }

        public string? Detail { get; }
    }
}
