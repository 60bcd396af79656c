using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Threading.Tasks;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;
using Microsoft.Data.Sqlite;
using Xunit;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Tests;

/// <summary>
/// Damaged and hostile store files (issue 15, item 4): cut short, a page overwritten, locked by another program,
/// read-only file or folder, a symbolic link. Each gets its own ErrorId and a message naming the file, the command
/// writes nothing, and nothing waits past the busy timeout.
/// </summary>
public class DamagedStoreTests
{
    [Fact]
    public void A_store_cut_short_is_refused_as_damaged_before_sqlite_touches_it()
    {
        using var folder = new TempFolder();
        string path = MakeStore(folder, items: 3000);
        using (var stream = new FileStream(path, FileMode.Open))
        {
            stream.SetLength(stream.Length / 2 + 100); // a copy that stopped halfway, mid-page
        }

        string before = Hash(path);
        foreach (StoreAccess access in new[] { StoreAccess.ReadWrite, StoreAccess.ReadOnly })
        {
            var e = Assert.Throws<BatchOpsException>(() => SqliteJobStore.Open(path, access));
            Assert.Equal(ErrorIds.StoreDamaged, e.ErrorId);
            Assert.Contains(path, e.Message);
            Assert.Contains("cut short", e.Message);
            Assert.Contains(".recover", e.Message);
        }

        Assert.Equal(before, Hash(path));
        Assert.False(File.Exists(path + "-wal"));
    }

    [Fact]
    public async Task A_store_with_an_overwritten_page_fails_with_StoreDamaged_and_that_page_is_not_written()
    {
        using var folder = new TempFolder();
        string path = MakeStore(folder, items: 3000);
        (long offset, int pageSize) = PageOf(path, "items");
        byte[] garbage = Enumerable.Repeat((byte)0xA5, 64).ToArray();
        using (var stream = new FileStream(path, FileMode.Open))
        {
            stream.Position = offset;
            stream.Write(garbage, 0, garbage.Length); // the b-tree page header and its first cell pointers
        }

        using (SqliteJobStore store = SqliteJobStore.Open(path))
        {
            BatchJob job = store.GetJob("embed"); // the jobs table is whole
            var e = Assert.Throws<BatchOpsException>(() => store.GetItems(job, new ItemQuery()));
            Assert.Equal(ErrorIds.StoreDamaged, e.ErrorId);
            Assert.Contains("malformed", e.Message);

            var runner = new BatchRunner(store, Processors.Succeed(), RunnerTests.Fast());
            await Assert.ThrowsAnyAsync<Exception>(async () =>
            {
                BatchRunSummary ended = await runner.RunAsync(job);
                throw ended.Failure?.GetException() ?? new InvalidOperationException("the run did not fail");
            });
        }

        // Whatever was written went through whole transactions; the damaged page itself is as it was.
        using var check = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var now = new byte[garbage.Length];
        check.Position = offset;
        StoreFile.ReadFully(check, now);
        Assert.Equal(garbage, now);
    }

    [Fact]
    public void A_store_locked_by_another_program_gives_StoreBusy_after_the_busy_timeout_and_writes_nothing()
    {
        using var folder = new TempFolder();
        string path = MakeStore(folder, items: 10);
        using var other = new SqliteConnection("Data Source=" + path + ";Pooling=False");
        other.Open();
        using (SqliteCommand begin = other.CreateCommand())
        {
            begin.CommandText = "BEGIN EXCLUSIVE"; // as `sqlite3 jobs.db` with `BEGIN EXCLUSIVE;` typed and left open
            begin.ExecuteNonQuery();
        }

        string before = Hash(path);
        Task<BatchOpsException> attempt = Task.Run(() =>
        {
            using SqliteJobStore store = SqliteJobStore.Open(path, StoreAccess.ReadWrite, null, TimeSpan.FromSeconds(1));
            Assert.Equal(10, store.GetJob("embed").Total); // reading still works (WAL)
            return Assert.Throws<BatchOpsException>(() => store.Enqueue(store.GetJob("embed"), new[] { new NewItem("new", null) }));
        });

        Assert.True(attempt.Wait(TimeSpan.FromSeconds(60)), "the write waited far past its 1 s busy timeout");
        BatchOpsException e = attempt.Result;
        Assert.Equal(ErrorIds.StoreBusy, e.ErrorId);
        Assert.Contains(path, e.Message);
        Assert.Contains("(1 s)", e.Message);
        Assert.Equal(before, Hash(path));

        using (SqliteCommand rollback = other.CreateCommand())
        {
            rollback.CommandText = "ROLLBACK";
            rollback.ExecuteNonQuery();
        }

        using SqliteJobStore after = SqliteJobStore.Open(path);
        Assert.Equal(10, after.GetJob("embed").Total);
    }

    [UnixFact]
    public void A_store_in_a_read_only_folder_is_refused_for_writing_with_StoreReadOnly()
    {
        using var folder = new TempFolder();
        string sub = Path.Combine(folder.Path, "locked");
        Directory.CreateDirectory(sub);
        string path = Path.Combine(sub, "jobs.db");
        using (SqliteJobStore store = SqliteJobStore.Open(path))
        {
            Stores.Seed(store, "embed", 3);
        }

        string before = Hash(path);
        using (ReadOnlyFile.Make(sub))
        {
            var e = Assert.Throws<BatchOpsException>(() => SqliteJobStore.Open(path));
            Assert.Equal(ErrorIds.StoreReadOnly, e.ErrorId);
            Assert.Contains(path, e.Message);
            Assert.Equal(new[] { "jobs.db" }, Directory.GetFiles(sub).Select(Path.GetFileName));
            var read = Assert.Throws<BatchOpsException>(() => SqliteJobStore.Open(path, StoreAccess.ReadOnly));
            Assert.Equal(ErrorIds.StoreReadOnly, read.ErrorId); // even reading a WAL store needs its '-shm' file
            Assert.Contains("folder", read.Message);
        }

        Assert.Equal(before, Hash(path));
    }

    [UnixFact]
    public void A_store_given_as_a_symbolic_link_is_followed_and_named_by_its_real_path()
    {
        using var folder = new TempFolder();
        string real = MakeStore(folder, items: 4);
        string link = folder.File("link.db");
        File.CreateSymbolicLink(link, real);

        using (SqliteJobStore store = SqliteJobStore.Open(link))
        {
            Assert.Equal(real, store.Location);
            Assert.Equal(real, store.GetJob("embed").Store);
            store.Enqueue(store.GetJob("embed"), new[] { new NewItem("through-the-link", null) });
        }

        Assert.True(new FileInfo(link).LinkTarget != null); // still a link: nothing replaced it
        Assert.False(File.Exists(link + "-wal"));
        using SqliteJobStore direct = SqliteJobStore.Open(real);
        Assert.Equal(5, direct.GetJob("embed").Total);
    }

    [UnixFact]
    public void A_symbolic_link_that_leads_nowhere_is_refused_and_nothing_is_created()
    {
        using var folder = new TempFolder();
        string link = folder.File("jobs.db");
        string target = folder.File("gone.db");
        File.CreateSymbolicLink(link, target);

        var e = Assert.Throws<BatchOpsException>(() => SqliteJobStore.Open(link));
        Assert.Equal(ErrorIds.StoreLink, e.ErrorId);
        Assert.Contains(link, e.Message);
        Assert.Contains(target, e.Message);
        Assert.False(File.Exists(target));

        string loop = folder.File("loop.db");
        File.CreateSymbolicLink(loop, loop);
        Assert.Equal(ErrorIds.StoreLink, Assert.Throws<BatchOpsException>(() => SqliteJobStore.Open(loop)).ErrorId);
    }

    [UnixFact]
    public void A_symbolic_link_to_a_file_that_is_not_a_store_is_refused_and_the_file_left_untouched()
    {
        using var folder = new TempFolder();
        string secret = folder.File("authorized_keys");
        File.WriteAllText(secret, "ssh-ed25519 AAAA... someone\n");
        string link = folder.File("jobs.db");
        File.CreateSymbolicLink(link, secret);
        string before = Hash(secret);

        var e = Assert.Throws<BatchOpsException>(() => SqliteJobStore.Open(link));
        Assert.Equal(ErrorIds.StoreNotSqlite, e.ErrorId);
        Assert.Contains(secret, e.Message);
        Assert.Equal(before, Hash(secret));
    }

    /// <summary>A store with one job of this many items, checkpointed into the main file and closed.</summary>
    private static string MakeStore(TempFolder folder, int items)
    {
        string path = folder.File("jobs.db");
        using (SqliteJobStore store = SqliteJobStore.Open(path))
        {
            Stores.Seed(store, "embed", items);
        }

        Assert.False(File.Exists(path + "-wal")); // the last connection folded the log in
        return path;
    }

    /// <summary>The byte offset of a table's root page, and the page size.</summary>
    private static (long Offset, int PageSize) PageOf(string path, string table)
    {
        using var connection = new SqliteConnection("Data Source=" + path + ";Mode=ReadOnly;Pooling=False");
        connection.Open();
        using SqliteCommand cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT (SELECT rootpage FROM sqlite_master WHERE name = $t), (SELECT page_size FROM pragma_page_size())";
        cmd.Parameters.AddWithValue("$t", table);
        using SqliteDataReader reader = cmd.ExecuteReader();
        reader.Read();
        long root = reader.GetInt64(0);
        int size = reader.GetInt32(1);
        return ((root - 1) * size, size);
    }

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));
}
