using System;
using System.Collections.Generic;
using System.Data.Common;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// Runs statements on either backend's session, for the store operations whose SQL is the same text on both
    /// (<see cref="ItemResets"/>, <see cref="StatisticsQueries"/>): parameters are named <c>@x</c> in the SQL and
    /// <c>x</c> here, and get the prefix the backend's client wants. The caller holds the session's lock (and its
    /// write transaction for a change).
    /// </summary>
    internal sealed class StoreSql
    {
        private readonly string _prefix;
        private readonly Func<string, (string Name, object? Value)[], DbCommand> _command;
        private readonly Func<long> _now;

        public StoreSql(string prefix, Func<string, (string Name, object? Value)[], DbCommand> command, Func<long> now, string location)
        {
            _prefix = prefix;
            _command = command;
            _now = now;
            Location = location;
        }

        public static StoreSql For(SqliteSession session) => new StoreSql("@", (sql, args) => session.Command(sql, args), session.NowMs, session.Location);

        /// <summary>Npgsql names parameters without the '@' the SQL writes.</summary>
        public static StoreSql For(Postgres.PostgresSession session) => new StoreSql("", (sql, args) => session.Command(sql, args), session.NowMs, session.Location);

        /// <summary>The store as shown in the objects read.</summary>
        public string Location { get; }

        /// <summary>Milliseconds since the Unix epoch on the store's clock.</summary>
        public long NowMs() => _now();

        public int Execute(string sql, params (string Name, object? Value)[] args)
        {
            using DbCommand cmd = Command(sql, args);
            return cmd.ExecuteNonQuery();
        }

        public object? Scalar(string sql, params (string Name, object? Value)[] args)
        {
            using DbCommand cmd = Command(sql, args);
            object? value = cmd.ExecuteScalar();
            return value is DBNull ? null : value;
        }

        /// <summary>Reads every row of the statement with <paramref name="row"/>.</summary>
        public List<T> Rows<T>(string sql, Func<DbDataReader, T> row, params (string Name, object? Value)[] args)
        {
            var rows = new List<T>();
            Each(sql, reader => { rows.Add(row(reader)); return true; }, args);
            return rows;
        }

        /// <summary>Reads rows of the statement with <paramref name="row"/> until it returns false.</summary>
        public void Each(string sql, Func<DbDataReader, bool> row, params (string Name, object? Value)[] args)
        {
            using DbCommand cmd = Command(sql, args);
            using DbDataReader reader = cmd.ExecuteReader();
            while (reader.Read() && row(reader))
            {
            }
        }

        private DbCommand Command(string sql, (string Name, object? Value)[] args)
        {
            var named = new (string, object?)[args.Length];
            for (int i = 0; i < args.Length; i++)
            {
                named[i] = (_prefix + args[i].Name, args[i].Value);
            }

            return _command(sql, named);
        }
    }
}
