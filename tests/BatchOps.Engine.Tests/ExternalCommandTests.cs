using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;
using Xunit;
using BatchOps.Engine.Errors;
using BatchOps.Engine.Input;

namespace BatchOps.Engine.Tests;

public class ExternalCommandTests
{
    private static ExternalCommandProcessor Shell(string script, TempFolder folder, int maxOutput = 64 * 1024, params string[] extra)
    {
        var arguments = new List<string> { "-c", script, "sh" };
        arguments.AddRange(extra);
        return new ExternalCommandProcessor(new ExternalCommand(CommandResolver.Resolve("sh", folder.Path), arguments, folder.Path), maxOutput);
    }

    private static ItemContext Item(string key, string? payload = null) =>
        new ItemContext { Job = "import", RunId = 7, Key = key, Payload = payload ?? PayloadJson.FromText(key), Attempt = 1 };

    [UnixFact]
    public async Task Placeholders_reach_the_program_as_single_arguments_unchanged()
    {
        using var folder = new TempFolder();
        string key = "/tmp/cao import/it's \"quoted\" $HOME; rm -rf * `date`.txt";
        var processor = Shell("printf '%s\\n' \"$@\"", folder, 64 * 1024, "{Key}", "--attempt={Attempt}", "{Job}");

        ItemResult result = await processor.ProcessAsync(Item(key), CancellationToken.None);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(new[] { key, "--attempt=1", "import" }, result.Output!.TrimEnd('\n').Split('\n'));
    }

    [UnixFact]
    public async Task The_item_arrives_as_json_on_standard_input_and_in_the_environment()
    {
        using var folder = new TempFolder();
        string payload = PayloadJson.Write(new Dictionary<string, object?> { ["Sku"] = "A-1", ["Price"] = 9.5 });
        var processor = Shell("cat; echo; echo \"$BATCHOPS_JOB|$BATCHOPS_KEY|$BATCHOPS_ATTEMPT|$BATCHOPS_RUN_ID|$BATCHOPS_PAYLOAD\"", folder);

        ItemResult result = await processor.ProcessAsync(Item("A-1", payload), CancellationToken.None);

        string[] lines = result.Output!.TrimEnd('\n').Split('\n');
        using JsonDocument input = JsonDocument.Parse(lines[0]);
        Assert.Equal("A-1", input.RootElement.GetProperty("key").GetString());
        Assert.Equal("import", input.RootElement.GetProperty("job").GetString());
        Assert.Equal(1, input.RootElement.GetProperty("attempt").GetInt32());
        Assert.Equal(9.5, input.RootElement.GetProperty("payload").GetProperty("Price").GetDouble());
        Assert.Equal("import|A-1|1|7|" + payload, lines[1]);
    }

    [UnixFact]
    public async Task A_nonzero_exit_code_fails_the_item_with_the_end_of_standard_error()
    {
        using var folder = new TempFolder();
        var processor = Shell("echo partial; echo 'Traceback ...' >&2; echo 'KeyError: chunk_id' >&2; exit 3", folder);

        ItemResult result = await processor.ProcessAsync(Item("c1"), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Equal("ExitCode", result.ErrorType);
        Assert.StartsWith("Exit code 3:", result.Error);
        Assert.EndsWith("KeyError: chunk_id", result.Error);
        Assert.Equal("partial\n", result.Output);
    }

    [UnixFact]
    public async Task Output_beyond_the_cap_is_cut_but_the_program_is_not_blocked()
    {
        using var folder = new TempFolder();
        var processor = Shell("head -c 300000 /dev/zero | tr '\\0' 'x'", folder, maxOutput: 1000);

        ItemResult result = await processor.ProcessAsync(Item("big"), CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.StartsWith(new string('x', 1000) + " [299,000 characters cut]", result.Output);
    }

    [UnixFact]
    public async Task A_timeout_kills_the_whole_process_tree()
    {
        using var folder = new TempFolder();
        string pidFile = folder.File("grandchild.pid");
        using var store = Stores.Open(folder);
        BatchJob job = Stores.Seed(store, "hang", 1);
        // The child starts a grandchild that would outlive it, records its pid, then waits forever.
        var processor = Shell($"sleep 300 & echo $! > '{pidFile}'; wait", folder);
        var options = new RunOptions { RetryLimit = 0, ItemTimeout = TimeSpan.FromMilliseconds(500) };

        BatchRunSummary summary = await new BatchRunner(store, processor, options).RunAsync(job);

        Assert.Equal(1, summary.Failed);
        Assert.StartsWith("Timed out", store.GetItems(store.GetJob("hang"), new ItemQuery()).Single().LastError);
        int grandchild = int.Parse(File.ReadAllText(pidFile).Trim());
        await Processors.WaitUntil(() => !IsRunning(grandchild), "the grandchild to be gone", timeoutSeconds: 10);
    }

    private static bool IsRunning(int pid)
    {
        string stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat))
        {
            return false;
        }

        try
        {
            string text = File.ReadAllText(stat);
            return text.Substring(text.LastIndexOf(')') + 2, 1) != "Z"; // a zombie is dead, only not yet reaped
        }
        catch (IOException)
        {
            return false;
        }
    }

    [Fact]
    public void A_command_that_cannot_be_found_is_refused_with_where_it_looked()
    {
        using var folder = new TempFolder();
        var e = Assert.Throws<BatchOpsException>(() => CommandResolver.Resolve("no-such-program-xyz", folder.Path, pathVariable: folder.Path));
        Assert.Equal(ErrorIds.CommandNotFound, e.ErrorId);
        Assert.Contains("not in any folder on PATH", e.Message);

        e = Assert.Throws<BatchOpsException>(() => CommandResolver.Resolve("./missing.sh", folder.Path));
        Assert.Equal(ErrorIds.CommandNotFound, e.ErrorId);
        Assert.Contains(Path.Combine(folder.Path, "missing.sh"), e.Message);
    }

    [Fact]
    public void A_relative_command_path_is_resolved_from_the_working_folder()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("embed.sh"), "#!/bin/sh\n");
        Assert.Equal(folder.File("embed.sh"), CommandResolver.Resolve("./embed.sh", folder.Path));
    }

    [Theory]
    [InlineData(new[] { "plain" }, "plain")]
    [InlineData(new[] { "two words" }, "\"two words\"")]
    [InlineData(new[] { "" }, "\"\"")]
    [InlineData(new[] { "say \"hi\"" }, "\"say \\\"hi\\\"\"")]
    [InlineData(new[] { "C:\\dir with space\\" }, "\"C:\\dir with space\\\\\"")]
    [InlineData(new[] { "a\\\\b", "c" }, "a\\\\b c")]
    [InlineData(new[] { "back\\\"quote" }, "\"back\\\\\\\"quote\"")]
    public void Windows_command_lines_quote_arguments_by_the_CommandLineToArgvW_rules(string[] arguments, string expected)
    {
        Assert.Equal(expected, CommandLine.Join(arguments));
    }

    [Fact]
    public void Expand_replaces_known_placeholders_and_leaves_other_braces()
    {
        ItemContext item = Item("k1", PayloadJson.Write(new Dictionary<string, object?> { ["a"] = 1 }));
        Assert.Equal("k1 {\"a\":1} 1 import 7 {Other}", ExternalCommandProcessor.Expand("{Key} {Payload} {Attempt} {Job} {RunId} {Other}", item));
    }
}
