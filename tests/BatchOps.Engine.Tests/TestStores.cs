using System;
using System.Collections.Generic;
using System.Reflection;
using BatchOps.Engine.Storage;
using BatchOps.Engine.Storage.Postgres;
using BatchOps.Engine.Tests.Postgres;
using Xunit.Sdk;

namespace BatchOps.Engine.Tests;

/// <summary>The store backends the contract tests run against.</summary>
public enum Backend
{
    Sqlite,
    Postgres,
}

/// <summary>Runs a store theory on a SQLite file.</summary>
public sealed class SqliteStoreAttribute : DataAttribute
{
    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => new[] { new object[] { Backend.Sqlite } };
}

/// <summary>Runs a store theory on a PostgreSQL database; skipped, with the reason, where no server is configured.</summary>
public sealed class PostgresStoreAttribute : DataAttribute
{
    public PostgresStoreAttribute()
    {
        if (PostgresServer.ConnectionString == null)
        {
            Skip = PostgresServer.SkipReason;
        }
    }

    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => new[] { new object[] { Backend.Postgres } };
}

/// <summary>
/// A store of one backend for one test: a SQLite file in a folder of its own, or a PostgreSQL database of its own
/// (dropped afterwards). <see cref="Open"/> opens it again, as another process or host would.
/// </summary>
public sealed class TestStore : IDisposable
{
    private readonly List<IDisposable> _opened = new List<IDisposable>();
    private readonly TempDatabase? _database;

    private TestStore(Backend backend, TimeProvider? time)
    {
        Backend = backend;
        Folder = new TempFolder();
        if (backend == Backend.Postgres)
        {
            _database = new TempDatabase();
            Location = _database.ConnectionString;
        }
        else
        {
            Location = Folder.File("batchops.db");
        }

        Store = Open(time);
    }

    public Backend Backend { get; }

    /// <summary>A folder of the test's own, for files beside the store (results, backups, logs).</summary>
    public TempFolder Folder { get; }

    /// <summary>What opens the store: the file's path, or the connection string (with the test role's password).</summary>
    public string Location { get; }

    /// <summary>The store the test opened first.</summary>
    public IJobStore Store { get; }

    /// <summary>The test's PostgreSQL database (null on SQLite), for looking under the store.</summary>
    public TempDatabase? Database => _database;

    public static TestStore Create(Backend backend, TimeProvider? time = null) => new TestStore(backend, time);

    /// <summary>Another connection to the same store, closed with the test.</summary>
    public IJobStore Open(TimeProvider? time = null)
    {
        IJobStore store = Backend == Backend.Postgres
            ? PostgresJobStore.Open(Location, StoreAccess.ReadWrite, time)
            : SqliteJobStore.Open(Location, StoreAccess.ReadWrite, time);
        _opened.Add(store);
        return store;
    }

    public void Dispose()
    {
        foreach (IDisposable store in _opened)
        {
            store.Dispose();
        }

        _database?.Dispose();
        Folder.Dispose();
    }
}
