using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using BatchOps.Engine.Storage;
using Xunit;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Tests;

/// <summary>The one way commands open stores: the backend chosen from the store string, and the store's parts behind their interfaces.</summary>
public class JobStoreFactoryTests
{
    [Theory]
    [InlineData("batchops.db")]
    [InlineData("./jobs/batchops.db")]
    [InlineData("/var/lib/batchops/store.db")]
    [InlineData(@"C:\data\batchops.db")]
    [InlineData("run=3.db")]
    [InlineData("a=b;c=d.db")]
    [InlineData("postgresql.db")]
    public void Anything_but_a_server_string_is_a_sqlite_file(string store) =>
        Assert.Equal(StoreKind.SqliteFile, JobStoreFactory.KindOf(store));

    [Theory]
    [InlineData("postgresql://batchops@db01/batchops")]
    [InlineData("postgres://batchops:secret@db01:5433/batchops")]
    [InlineData("POSTGRESQL://db01/batchops")]
    [InlineData("Host=db01;Database=batchops;Username=batchops")]
    [InlineData("host=db01; database=batchops")]
    [InlineData("Server=db01;Database=batchops")]
    public void A_postgresql_uri_or_connection_string_names_a_server(string store) =>
        Assert.Equal(StoreKind.PostgreSql, JobStoreFactory.KindOf(store));

    [Fact]
    public void A_file_path_opens_a_sqlite_store_and_read_write_creates_it()
    {
        using var folder = new TempFolder();
        string path = folder.File("made.db");
        Assert.False(JobStoreFactory.CheckLocation(path));
        using (IJobStore store = JobStoreFactory.Open(path, StoreAccess.ReadWrite))
        {
            Assert.IsType<SqliteJobStore>(store);
            Assert.Equal(Path.GetFullPath(path), store.Location);
            store.GetOrCreateJob("made");
        }

        Assert.True(JobStoreFactory.CheckLocation(path));
        using IJobStore again = JobStoreFactory.Open(path, StoreAccess.ReadOnly);
        Assert.Equal("made", again.GetJobs().Single().Name);
    }

    [Fact]
    public void A_missing_file_opened_to_read_is_store_not_found_and_not_created()
    {
        using var folder = new TempFolder();
        string path = folder.File("missing.db");
        var e = Assert.Throws<BatchOpsException>(() => JobStoreFactory.Open(path, StoreAccess.ReadOnly));
        Assert.Equal(ErrorIds.StoreNotFound, e.ErrorId);
        Assert.False(File.Exists(path));
    }

    [Theory]
    [InlineData("postgresql://batchops:s3cr3t-pw@127.0.0.1:1/batchops", "postgresql://batchops@127.0.0.1:1/batchops")]
    [InlineData("postgres://batchops:s3cr3t-pw@127.0.0.1:1/batchops?sslmode=disable", "postgresql://batchops@127.0.0.1:1/batchops")]
    [InlineData("Host=127.0.0.1;Port=1;Database=batchops;Username=batchops;Password=s3cr3t-pw", "postgresql://batchops@127.0.0.1:1/batchops")]
    [InlineData("Password=\"s3cr3t-pw;x\";Host=127.0.0.1;Port=1;Database=batchops;Username=batchops", "postgresql://batchops@127.0.0.1:1/batchops")]
    [InlineData("postgresql://batchops:s3cr3t-pw@no-such-host.invalid/batchops", "postgresql://batchops@no-such-host.invalid/batchops")]
    public void A_server_nobody_answers_at_is_unreachable_and_its_password_is_never_shown(string store, string shown)
    {
        Assert.Equal(StoreKind.PostgreSql, JobStoreFactory.KindOf(store));
        Assert.Equal(shown, JobStoreFactory.Redact(store));
        foreach (Func<object> call in new Func<object>[] { () => JobStoreFactory.Open(store, StoreAccess.ReadWrite), () => JobStoreFactory.CheckLocation(store) })
        {
            var e = Assert.Throws<BatchOpsException>(call);
            Assert.Equal(ErrorIds.StoreUnreachable, e.ErrorId);
            Assert.Equal(BatchOpsErrorCategory.ResourceUnavailable, e.Category);
            Assert.Contains(shown, e.Message, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("s3cr3t-pw", e.Message);
            Assert.DoesNotContain("s3cr3t-pw", e.Target?.ToString() ?? "");
        }
    }

    [Theory]
    [InlineData("postgresql://batchops:s3cr3t-pw@db01/batchops?bogus=1", "postgresql://batchops:***@db01/batchops?bogus=1")]
    [InlineData("Host=db01;Database=batchops;Password=s3cr3t-pw;Bogus Key=1", "Host=db01;Database=batchops;Bogus Key=1")]
    public void A_server_string_that_does_not_parse_is_still_shown_without_its_password(string store, string shown)
    {
        string redacted = JobStoreFactory.Redact(store);
        Assert.DoesNotContain("s3cr3t-pw", redacted);
        Assert.Equal(shown.Replace(":***", ""), redacted);
    }

    [Fact]
    public void A_file_path_is_shown_as_it_is()
    {
        Assert.Equal("/data/pass=word.db", JobStoreFactory.Redact("/data/pass=word.db"));
    }

    [Theory, SqliteStore, PostgresStore]
    public void The_parts_of_a_store_work_through_their_interfaces_on_one_connection(Backend backend)
    {
        using var test = TestStore.Create(backend);
        using IJobStore store = JobStoreFactory.Open(test.Location, StoreAccess.ReadWrite);
        IJobCatalog catalog = store;
        IRunLedger ledger = store;
        IJobStatistics statistics = store;

        BatchJob job = catalog.GetOrCreateJob("parts");
        Assert.Equal(3, catalog.Enqueue(job, new[] { new NewItem("a"), new NewItem("b"), new NewItem("c") }).Added);
        long run = ledger.StartRun(job.Id, new RunStart { Host = "test", ProcessId = 1, User = "tester", OptionsJson = "{}" });
        ClaimResult claim = ledger.Claim(job.Id, run, 3, store.NowMs() + 60_000, maxAttempts: 3);
        Assert.Equal(new[] { "a", "b", "c" }, claim.Items.Select(i => i.Key));

        var commit = new RunCommit { JobId = job.Id, RunId = run };
        commit.Outcomes.Add(new ItemOutcome { ItemId = claim.Items[0].Id, LeaseToken = claim.Items[0].LeaseToken, Key = "a", Kind = OutcomeKind.Succeeded, Attempt = 1 });
        commit.Outcomes.Add(new ItemOutcome { ItemId = claim.Items[1].Id, LeaseToken = claim.Items[1].LeaseToken, Key = "b", Kind = OutcomeKind.Failed, Error = "broke", Attempt = 1 });
        commit.Outcomes.Add(new ItemOutcome { ItemId = claim.Items[2].Id, LeaseToken = claim.Items[2].LeaseToken, Key = "c", Kind = OutcomeKind.Released, UndoAttempt = true });
        Assert.Equal(new[] { true, true, true }, ledger.Commit(commit).Accepted);

        BatchJob after = catalog.GetJob("parts");
        Assert.Equal((1L, 1L, 1L, 0L), (after.Succeeded, after.Failed, after.Pending, after.Running));
        Assert.Equal("broke", statistics.GetErrors(after, 5).Single().Message);
        Assert.Equal(run, statistics.GetRuns(after, new RunQuery()).Single().RunId);
        Assert.Equal(ItemStatus.Pending, catalog.GetItems(after, new ItemQuery { KeyPatterns = new List<string> { "c" } }).Single().Status);
        Stores.AssertCountersMatchItems(store, "parts");
    }

    [Fact]
    public void Item_status_numbers_in_sql_are_those_of_item_status()
    {
        Assert.Equal(((int)ItemStatus.Pending).ToString(), ItemStatusSql.Pending);
        Assert.Equal(((int)ItemStatus.Running).ToString(), ItemStatusSql.Running);
        Assert.Equal(((int)ItemStatus.Succeeded).ToString(), ItemStatusSql.Succeeded);
        Assert.Equal(((int)ItemStatus.Failed).ToString(), ItemStatusSql.Failed);
        Assert.Equal($"{(int)ItemStatus.Succeeded}, {(int)ItemStatus.Failed}", ItemStatusSql.Finished);
    }
}
