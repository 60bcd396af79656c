using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;
using Microsoft.Data.Sqlite;
using Xunit;
using BatchOps.Engine.Errors;
using BatchOps.Engine.Input;

namespace BatchOps.Engine.Tests;

public class ItemStoreTests
{
    [Theory, SqliteStore, PostgresStore]
    public void Enqueueing_the_same_keys_again_adds_only_the_new_ones(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = store.GetOrCreateJob("hourly-import");

        EnqueueResult first = store.Enqueue(job, Keys("a", "b", "c"));
        EnqueueResult second = store.Enqueue(job, Keys("b", "c", "d", "d"));

        Assert.Equal(3, first.Added);
        Assert.Equal(1, second.Added);
        Assert.Equal(3, second.AlreadyQueued); // b, c and the second d
        Assert.Equal(4, second.Total);
        Assert.Equal(4, store.GetJob("hourly-import").Pending);
        Stores.AssertCountersMatchItems(store, "hourly-import");
    }

    [Theory, SqliteStore, PostgresStore]
    public void Keys_and_payloads_are_stored_as_given_and_an_item_without_payload_has_none(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = store.GetOrCreateJob("texts");
        string astral = "caf\u00e9-\U0001F600-\u65e5\u672c";
        string payload = PayloadJson.FromText("line one\nline \"two\" \U0001F600");

        store.Enqueue(job, new[] { new NewItem(astral, payload), new NewItem("bare", null), new NewItem("empty", PayloadJson.FromText("")) });

        var items = store.GetItems(store.GetJob("texts"), new ItemQuery { IncludePayload = true }).ToDictionary(i => i.Key);
        Assert.Equal(payload, items[astral].Payload);
        Assert.Null(items["bare"].Payload);
        Assert.Equal(PayloadJson.FromText(""), items["empty"].Payload);
        Assert.Equal(3, store.GetJob("texts").Pending);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Keys_already_done_are_counted_as_done_and_not_processed_again(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "feed", 3);
        await new BatchRunner(store, Processors.Succeed(), new RunOptions()).RunAsync(job);

        EnqueueResult again = store.Enqueue(store.GetJob("feed"), new[] { new NewItem("item-00000"), new NewItem("item-00001"), new NewItem("new") });

        Assert.Equal(1, again.Added);
        Assert.Equal(2, again.AlreadyDone);
        Assert.Equal(1, store.GetJob("feed").Pending);
    }

    [Theory, SqliteStore, PostgresStore]
    public void Re_enqueueing_keeps_the_original_payload(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = store.GetOrCreateJob("p");
        store.Enqueue(job, new[] { new NewItem("k", PayloadJson.FromText("first")) });
        store.Enqueue(job, new[] { new NewItem("k", PayloadJson.FromText("second")) });
        Assert.Equal("first", PayloadJson.ToText(store.GetItems(job, new ItemQuery()).Single().Payload));
    }

    [Fact]
    public void A_chunk_that_fails_in_the_background_fails_the_completion_and_is_not_counted()
    {
        using var folder = new TempFolder();
        using var store = SqliteJobStore.Open(Path.Combine(folder.Path, "jobs.db"), StoreAccess.ReadWrite, null, TimeSpan.FromMilliseconds(200));
        BatchJob job = store.GetOrCreateJob("locked");
        var buffer = new EnqueueBuffer(store, job, chunkSize: 10);
        for (int i = 0; i < 10; i++)
        {
            buffer.Add(new NewItem("first" + i));
        }

        buffer.Flush();

        // Another program holds the store: the chunk written in the background fails, and must not fail silently.
        using var other = new SqliteConnection("Data Source=" + store.Location + ";Pooling=False");
        other.Open();
        using (SqliteCommand begin = other.CreateCommand())
        {
            begin.CommandText = "BEGIN EXCLUSIVE";
            begin.ExecuteNonQuery();
        }

        for (int i = 0; i < 10; i++)
        {
            buffer.Add(new NewItem("k" + i)); // the tenth starts the chunk's write
        }

        buffer.Add(new NewItem("k10"));
        BatchOpsException error = Assert.Throws<BatchOpsException>(() => buffer.Complete());
        Assert.Equal(ErrorIds.StoreBusy, error.ErrorId);
        Assert.Equal(10, buffer.Committed);
        buffer.Discard();
        other.Close();
        Assert.Equal(10, store.GetJob("locked")!.Total);
    }

    [Theory, SqliteStore, PostgresStore]
    public void A_job_keeps_its_vector_store_baseline_per_set_of_paths_until_cleared(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "embed", 2);
        string a = test.Folder.File("a.bin"), b = test.Folder.File("b.pkl");
        Assert.Null(store.GetVectorStoreBaseline(job, new[] { a, b }));

        store.KeepVectorStoreBaseline(job, new VectorStoreReading(new[] { a, b }, 1_000, 2, 300, missing: false));
        store.KeepVectorStoreBaseline(job, new VectorStoreReading(new[] { b, a }, 1_200, 2, 320, missing: false)); // same set, other order
        Assert.Equal(320, store.GetVectorStoreBaseline(job, new[] { a, b })!.Items);
        Assert.Null(store.GetVectorStoreBaseline(job, new[] { a }));

        store.ClearJob(job);
        Assert.Null(store.GetVectorStoreBaseline(job, new[] { a, b }));
    }

    [Theory, SqliteStore, PostgresStore]
    public void A_large_enqueue_is_written_in_chunks_and_counted_exactly(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = store.GetOrCreateJob("big");
        var buffer = new EnqueueBuffer(store, job, chunkSize: 1_000);
        for (int i = 0; i < 12_345; i++)
        {
            buffer.Add(new NewItem("k" + i));
            Assert.True(buffer.Unwritten < 2_000); // one chunk filling and at most one in writing: memory stays flat
        }

        EnqueueResult result = buffer.Complete();
        Assert.Equal(12_345, result.Added);
        Assert.Equal(12_345, store.GetJob("big").Total);
    }

    [Theory, SqliteStore, PostgresStore]
    public void Discarding_the_buffer_writes_nothing_that_was_not_flushed(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = store.GetOrCreateJob("refused");
        var buffer = new EnqueueBuffer(store, job, chunkSize: 10);
        buffer.Add(new NewItem("a"));
        buffer.Add(new NewItem("b"));
        buffer.Discard();
        Assert.Equal(0, buffer.Complete().Added);
        Assert.Equal(0, store.GetJob("refused").Total);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Failed_items_can_be_listed_and_reset_by_key(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "reset", 6);
        var options = new RunOptions { RetryLimit = 0 };
        await new BatchRunner(store, DelegateProcessor.FromSync(i => i.Key.EndsWith("1") || i.Key.EndsWith("4") ? ItemResult.Failure("boom") : ItemResult.Success()), options).RunAsync(job);

        IReadOnlyList<BatchItem> failed = store.GetItems(store.GetJob("reset"), new ItemQuery { Status = ItemStatus.Failed });
        Assert.Equal(new[] { "item-00001", "item-00004" }, failed.Select(i => i.Key));
        Assert.All(failed, i => Assert.Equal("boom", i.LastError));

        ResetResult reset = store.ResetItems(store.GetJob("reset"), new[] { "item-00001", "nope" });
        Assert.Equal(new[] { "item-00001" }, reset.Reset);
        Assert.Equal(new[] { "nope" }, reset.NotFound);
        BatchItem again = store.GetItems(store.GetJob("reset"), new ItemQuery { KeyPatterns = new[] { "item-00001" } }).Single();
        Assert.Equal(ItemStatus.Pending, again.Status);
        Assert.Equal(0, again.Attempts);
        Assert.Null(again.LastError);
        Stores.AssertCountersMatchItems(store, "reset");

        Assert.Equal(1, store.ResetItems(store.GetJob("reset"), ItemStatus.Failed));
        Assert.Equal(2, store.GetJob("reset").Pending);
        Stores.AssertCountersMatchItems(store, "reset");
    }

    [Theory, SqliteStore, PostgresStore]
    public void Running_items_are_not_reset(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "busy", 2);
        long run = store.StartRun(job.Id, new RunStart { Host = "h", ProcessId = 1 });
        store.Claim(job.Id, run, 1, store.NowMs() + 60_000, 4);

        ResetResult result = store.ResetItems(job, new[] { "item-00000" });
        Assert.Equal(new[] { "item-00000" }, result.InFlight);
        Assert.Empty(result.Reset);
        var e = Assert.Throws<BatchOpsException>(() => store.ResetItems(job, ItemStatus.Running));
        Assert.Equal(ErrorIds.ItemInFlight, e.ErrorId);
        Stores.AssertCountersMatchItems(store, "busy");
    }

    [Theory, SqliteStore, PostgresStore]
    public void Items_can_be_selected_by_wildcard_and_limited(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = store.GetOrCreateJob("w");
        store.Enqueue(job, Keys("doc-1.txt", "doc-2.txt", "doc-10.pdf", "img-1.png", "doc-[3].txt"));
        Assert.Equal(new[] { "doc-1.txt", "doc-2.txt", "doc-[3].txt" }, store.GetItems(job, new ItemQuery { KeyPatterns = new[] { "doc-*.txt" } }).Select(i => i.Key));
        Assert.Equal(new[] { "doc-[3].txt" }, store.GetItems(job, new ItemQuery { KeyPatterns = new[] { "doc-`[3`].txt" } }).Select(i => i.Key));
        Assert.Equal(2, store.GetItems(job, new ItemQuery { First = 2 }).Count);
        Assert.Equal(new[] { "img-1.png", "doc-10.pdf" }.OrderBy(k => k), store.GetItems(job, new ItemQuery { KeyPatterns = new[] { "img*", "*.pdf" } }).Select(i => i.Key).OrderBy(k => k));
        Assert.Null(store.GetItems(job, new ItemQuery { IncludePayload = false }).First().Payload);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Clearing_a_job_keeps_its_items_and_forgets_their_completion(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        BatchJob job = Stores.Seed(store, "clear", 5);
        await new BatchRunner(store, Processors.Succeed(), new RunOptions()).RunAsync(job);

        Assert.Equal(5, store.ClearJob(store.GetJob("clear")));

        BatchJob cleared = store.GetJob("clear");
        Assert.Equal(5, cleared.Total);
        Assert.Equal(5, cleared.Pending);
        Assert.Null(store.GetCheckpoint(cleared));
        Assert.Empty(store.GetErrors(cleared, 10));
        Assert.All(store.GetItems(cleared, new ItemQuery()), i => Assert.Null(i.Result));
        Stores.AssertCountersMatchItems(store, "clear");
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Removing_a_job_removes_everything_recorded_for_it(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        Stores.Seed(store, "keep", 2);
        BatchJob gone = Stores.Seed(store, "gone", 3);
        await new BatchRunner(store, Processors.Succeed(), new RunOptions()).RunAsync(gone);

        Assert.True(store.RemoveJob(gone));
        Assert.False(store.RemoveJob(gone));

        Assert.Equal(new[] { "keep" }, store.GetJobs().Select(j => j.Name));
        Assert.Null(store.FindJob("gone"));
        Stores.AssertCountersMatchItems(store, "keep");
    }

    private static IReadOnlyList<NewItem> Keys(params string[] keys) => keys.Select(k => new NewItem(k)).ToList();
}

public class ItemPagesTests
{
    [Theory, SqliteStore, PostgresStore]
    public void Pages_stream_every_matching_item_once_in_order(Backend backend)
    {
        using var test = TestStore.Create(backend);
        IJobStore store = test.Store;
        var cases = new (int Items, long? First, int Expected)[] { (2_500, null, 2_500), (2_500, 1_200L, 1_200), (2_000, null, 2_000), (0, null, 0) };
        for (int c = 0; c < cases.Length; c++)
        {
            (int items, long? first, int expected) = cases[c];
            BatchJob job = Stores.Seed(store, "paged-" + c, items);

            List<BatchItem> read = ItemPages.Read(store, job, new ItemQuery(), first, pageSize: 1_000).ToList();

            Assert.Equal(expected, read.Count);
            Assert.Equal(read.Select(i => i.Id).OrderBy(i => i), read.Select(i => i.Id));
            Assert.Equal(expected, read.Select(i => i.Key).Distinct().Count());
            Assert.All(read, i => Assert.Equal(job.Name, i.Job));
        }
    }
}
