using System;
using Npgsql;
using Xunit;

namespace BatchOps.Engine.Tests.Postgres;

/// <summary>
/// The PostgreSQL server the tests may use: its connection string is in BATCHOPS_TEST_POSTGRES (build.sh Test starts
/// a throwaway one with tools/test-postgres.sh). Each test gets a database of its own, dropped afterwards.
/// </summary>
public static class PostgresServer
{
    public const string Variable = "BATCHOPS_TEST_POSTGRES";

    public static string? ConnectionString => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value : null;

    public static string SkipReason => $"no PostgreSQL server: set {Variable} to a connection string (build.sh Test starts one when it can)";

    public static NpgsqlConnectionStringBuilder Settings => new NpgsqlConnectionStringBuilder(ConnectionString);
}

/// <summary>A test that needs the server: skipped, with the reason, where none is configured.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (PostgresServer.ConnectionString == null)
        {
            Skip = PostgresServer.SkipReason;
        }
    }
}

/// <summary>A theory that needs the server: skipped, with the reason, where none is configured.</summary>
public sealed class PostgresTheoryAttribute : TheoryAttribute
{
    public PostgresTheoryAttribute()
    {
        if (PostgresServer.ConnectionString == null)
        {
            Skip = PostgresServer.SkipReason;
        }
    }
}

/// <summary>A fresh database on the test server, dropped when disposed.</summary>
public sealed class TempDatabase : IDisposable
{
    public TempDatabase()
    {
        Name = "batchops_t_" + Guid.NewGuid().ToString("N").Substring(0, 12);
        Admin($"CREATE DATABASE {Name}");
        var settings = PostgresServer.Settings;
        settings.Database = Name;
        ConnectionString = settings.ConnectionString;
    }

    public string Name { get; }

    /// <summary>A connection string to the new database, with the test role's password.</summary>
    public string ConnectionString { get; }

    public static void Admin(string sql)
    {
        using var connection = new NpgsqlConnection(PostgresServer.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    public void Execute(string sql)
    {
        using var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    public object? Scalar(string sql)
    {
        using var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return command.ExecuteScalar();
    }

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                Admin($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege || e.SqlState == PostgresErrorCodes.ObjectInUse)
            {
                // a session of another role (a test's refused login, a server worker) is still on it: it ends soon;
                // cleanup only, and a database left behind on the throwaway server harms nothing
                if (attempt == 5)
                {
                    return;
                }

                System.Threading.Thread.Sleep(200 * attempt);
            }
        }
    }
}
