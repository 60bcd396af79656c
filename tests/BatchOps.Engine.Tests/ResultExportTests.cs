using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Reporting;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;
using Xunit;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Tests;

public class ResultExportTests
{
    // item-00000 .. : even items return an object (odd ones add a field), item-00003 returns text, item-00005 fails.
    private static ItemResult Evaluate(ItemContext item)
    {
        int n = int.Parse(item.Key.Substring(5), System.Globalization.CultureInfo.InvariantCulture);
        if (n == 5)
        {
            return ItemResult.Failure("model timed out");
        }

        if (n == 3)
        {
            return ItemResult.Success("plain \"text\", with a comma");
        }

        return ItemResult.Success(n % 2 == 0
            ? "{\"Score\":" + n + ",\"Key\":\"inner\",\"Tags\":[\"a\",\"b\"]}"
            : "{\"Score\":" + n + ",\"Ok\":true}");
    }

    private static (SqliteJobStore Store, BatchJob Job, long RunId) Evaluated(TempFolder folder, int items = 8, int batchSize = 3)
    {
        SqliteJobStore store = Stores.Open(folder);
        BatchJob job = Stores.Seed(store, "evaluate", items);
        BatchRunSummary summary = new BatchRunner(store, DelegateProcessor.FromSync(Evaluate), new RunOptions { BatchSize = batchSize, RetryLimit = 0, ThrottleLimit = 1 }).RunAsync(job).GetAwaiter().GetResult();
        return (store, store.GetJob("evaluate"), summary.RunId);
    }

    private static string[][] ReadCsv(string path) =>
        File.ReadAllLines(path).Select(line => System.Text.RegularExpressions.Regex.Matches(line, "\"((?:[^\"]|\"\")*)\"").Select(m => m.Groups[1].Value.Replace("\"\"", "\"")).ToArray()).ToArray();

    [Fact]
    public void Csv_has_the_fixed_columns_then_the_union_of_result_fields_with_text_in_Result()
    {
        using var folder = new TempFolder();
        (SqliteJobStore store, BatchJob job, long run) = Evaluated(folder);
        using (store)
        {
            var exporter = new ResultExporter(store, job);
            string path = folder.File("results.csv");
            ResultFilePlan plan = exporter.Plan(new ResultExportRequest { Path = path }).Single();
            Assert.Equal(8, exporter.Write(plan));

            string[][] rows = ReadCsv(path);
            Assert.Equal(new[] { "Key", "Status", "Attempts", "Finished", "Run", "Batch", "Error", "Score", "ResultKey", "Tags", "Ok", "Result" }, rows[0]);
            Assert.Equal(9, rows.Length);
            string[] first = rows[1];
            Assert.Equal(("item-00000", "Succeeded", "0", "inner", "[\"a\",\"b\"]", ""), (first[0], first[1], first[7], first[8], first[9], first[10]));
            Assert.Equal(run.ToString(System.Globalization.CultureInfo.InvariantCulture), first[4]);
            Assert.Equal("1", first[5]);
            Assert.True(DateTimeOffset.TryParse(first[3], System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out _), first[3]);
            Assert.Equal(("1", "True"), (rows[2][7], rows[2][10]));
            Assert.Equal("plain \"text\", with a comma", rows[4][11]);
            Assert.Equal(("Failed", "model timed out"), (rows[6][1], rows[6][6]));
            Assert.False(File.Exists(path + ".tmp"));
        }
    }

    [Fact]
    public void Get_BatchResult_and_the_export_share_one_row_rule()
    {
        var cells = ResultRow.Of(new BatchItem { Key = "k", Status = ItemStatus.Succeeded, Result = "{\"status\":\"fine\",\"Score\":2,\"score\":3}" });

        Assert.Equal(new[] { "Key", "Status", "Attempts", "Finished", "Run", "Batch", "Error", "Resultstatus", "Score" }, cells.Select(c => c.Name));
        Assert.Equal(2L, cells.Last().Value);
    }

    [Fact]
    public void Json_and_json_lines_keep_types_and_nested_values()
    {
        using var folder = new TempFolder();
        (SqliteJobStore store, BatchJob job, _) = Evaluated(folder);
        using (store)
        {
            var exporter = new ResultExporter(store, job);
            foreach (string name in new[] { "results.json", "results.jsonl" })
            {
                exporter.Write(exporter.Plan(new ResultExportRequest { Path = folder.File(name), Status = ItemStatus.Succeeded }).Single());
            }

            using JsonDocument array = JsonDocument.Parse(File.ReadAllText(folder.File("results.json")));
            Assert.Equal(7, array.RootElement.GetArrayLength());
            JsonElement first = array.RootElement[0];
            Assert.Equal(0, first.GetProperty("Score").GetInt32());
            Assert.Equal(JsonValueKind.Array, first.GetProperty("Tags").ValueKind);
            Assert.Equal("inner", first.GetProperty("ResultKey").GetString());
            Assert.Equal(JsonValueKind.True, array.RootElement[1].GetProperty("Ok").ValueKind);

            string[] lines = File.ReadAllLines(folder.File("results.jsonl")).Where(l => l.Length > 0).ToArray();
            Assert.Equal(7, lines.Length);
            Assert.All(lines, line => Assert.Equal("Succeeded", JsonDocument.Parse(line).RootElement.GetProperty("Status").GetString()));
        }
    }

    [Fact]
    public void Per_batch_files_are_named_by_the_template_one_per_batch()
    {
        using var folder = new TempFolder();
        (SqliteJobStore store, BatchJob job, long run) = Evaluated(folder);
        using (store)
        {
            var exporter = new ResultExporter(store, job);
            var plans = exporter.Plan(new ResultExportRequest { Path = Path.Combine(folder.Path, "results", "{Job}_batch_{Batch:0000}.json"), PerBatch = true });
            foreach (ResultFilePlan plan in plans)
            {
                exporter.Write(plan);
            }

            string[] files = Directory.GetFiles(Path.Combine(folder.Path, "results")).Select(Path.GetFileName).OrderBy(f => f, StringComparer.Ordinal).ToArray()!;
            Assert.Equal(new[] { "evaluate_batch_0001.json", "evaluate_batch_0002.json", "evaluate_batch_0003.json" }, files);
            using JsonDocument third = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.Path, "results", "evaluate_batch_0003.json")));
            Assert.Equal(new[] { "item-00006", "item-00007" }, third.RootElement.EnumerateArray().Select(e => e.GetProperty("Key").GetString()));
            Assert.All(third.RootElement.EnumerateArray(), e => Assert.Equal(run, e.GetProperty("Run").GetInt64()));

            // Only the batches that hold items of the status asked for get a file (item-00005 failed, in batch 2).
            var failed = exporter.Plan(new ResultExportRequest { Path = Path.Combine(folder.Path, "failed", "{Batch}.csv"), PerBatch = true, Status = ItemStatus.Failed });
            Assert.Equal(2L, Assert.Single(failed).Batch);
        }
    }

    [Fact]
    public void Batches_of_two_runs_that_would_share_a_file_are_refused_before_anything_is_written()
    {
        using var folder = new TempFolder();
        using var store = Stores.Open(folder);
        BatchJob job = Stores.Seed(store, "twice", 4);
        new BatchRunner(store, Processors.Succeed(), new RunOptions { BatchSize = 2, MaxItems = 2 }).RunAsync(job).GetAwaiter().GetResult();
        new BatchRunner(store, Processors.Succeed(), new RunOptions { BatchSize = 2 }).RunAsync(store.GetJob("twice")).GetAwaiter().GetResult();
        var exporter = new ResultExporter(store, store.GetJob("twice"));

        var e = Assert.Throws<BatchOpsException>(() => exporter.Plan(new ResultExportRequest { Path = folder.File("{Job}_{Batch}.csv"), PerBatch = true }));

        Assert.Equal(ErrorIds.ResultBatchesCollide, e.ErrorId);
        Assert.Contains("would both be written", e.Message);
        Assert.Equal(2, exporter.Plan(new ResultExportRequest { Path = folder.File("{Job}_{Run}_{Batch}.csv"), PerBatch = true }).Count);
    }

    [Fact]
    public void NoClobber_refuses_an_existing_file_and_leaves_it_as_it_was()
    {
        using var folder = new TempFolder();
        (SqliteJobStore store, BatchJob job, _) = Evaluated(folder);
        using (store)
        {
            string path = folder.File("results.csv");
            File.WriteAllText(path, "mine");

            var e = Assert.Throws<BatchOpsException>(() => new ResultExporter(store, job).Plan(new ResultExportRequest { Path = path, NoClobber = true }));

            Assert.Equal(ErrorIds.ResultFileExists, e.ErrorId);
            Assert.Equal("mine", File.ReadAllText(path));
        }
    }

    [Theory]
    [InlineData("results.txt", false, "ResultFormatUnknown")]
    [InlineData("results_{Run}.json", true, "ResultPathInvalid")]
    [InlineData("results_{Batch}_{Host}.json", true, "ResultPathInvalid")]
    [InlineData("missing/results.csv", false, "ResultFolderNotFound")]
    public void Bad_paths_are_refused_with_their_own_error(string name, bool perBatch, string errorId)
    {
        using var folder = new TempFolder();
        (SqliteJobStore store, BatchJob job, _) = Evaluated(folder, items: 2);
        using (store)
        {
            var e = Assert.Throws<BatchOpsException>(() => new ResultExporter(store, job).Plan(new ResultExportRequest { Path = folder.File(name), PerBatch = perBatch }));

            Assert.Equal(errorId, e.ErrorId);
            Assert.Contains(name.Split('/')[0].Replace("/results.csv", ""), e.Message);
            Assert.Empty(Directory.GetFiles(folder.Path, "results*"));
        }
    }

    [Fact]
    public void Force_creates_a_missing_folder_for_one_file()
    {
        using var folder = new TempFolder();
        (SqliteJobStore store, BatchJob job, _) = Evaluated(folder, items: 2);
        using (store)
        {
            var exporter = new ResultExporter(store, job);
            string path = Path.Combine(folder.Path, "new", "results.jsonl");

            Assert.Equal(2, exporter.Write(exporter.Plan(new ResultExportRequest { Path = path, Force = true }).Single(), force: true));
            Assert.Equal(2, File.ReadAllLines(path).Count(l => l.Length > 0));
        }
    }
}

public class ResultPathTemplateTests
{
    [Fact]
    public void A_template_is_resolved_as_a_path_with_its_placeholders_kept()
    {
        string seen = "";
        string resolved = ResultPathTemplate.Resolve("out/{Run}/{Job}_batch_{Batch:0000}.json", path =>
        {
            seen = path;
            return "/base/" + path;
        });

        Assert.DoesNotContain(":", seen);
        Assert.Equal("/base/out/{Run}/{Job}_batch_{Batch:0000}.json", resolved);
        Assert.Equal("/base/out/3/a_b_batch_0007.json", ResultPathTemplate.Parse(resolved).For("a/b", 3, 7));
    }
}
