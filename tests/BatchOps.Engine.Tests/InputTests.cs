using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using BatchOps.Engine.Storage;
using Xunit;
using BatchOps.Engine.Input;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Tests;

/// <summary>A plain input object: a base object and named properties, as a PSObject adapter would present them.</summary>
internal sealed class InputObject : IInputObject
{
    private readonly Dictionary<string, object?> _properties;

    public InputObject(object? baseObject, Dictionary<string, object?>? properties = null)
    {
        BaseObject = baseObject;
        _properties = new Dictionary<string, object?>(properties ?? new Dictionary<string, object?>(), StringComparer.OrdinalIgnoreCase);
    }

    public object? BaseObject { get; }

    public string TypeName => BaseObject?.GetType().FullName ?? "null";

    public IReadOnlyList<string> PropertyNames => _properties.Keys.ToList();

    public bool TryGetProperty(string name, out object? value) => _properties.TryGetValue(name, out value);

    public object? ToPayloadTree() => _properties;

    public static InputObject Record(params (string Name, object? Value)[] properties) =>
        new InputObject(new object(), properties.ToDictionary(p => p.Name, p => p.Value));
}

public class InputTests
{
    [Fact]
    public void A_string_is_its_own_key_and_payload()
    {
        var input = new InputObject("chunk-17");
        Assert.Equal("chunk-17", ItemKeys.Resolve(input, null));
        Assert.Equal("\"chunk-17\"", ItemPayloads.FromInput(input));
    }

    [Fact]
    public void A_file_is_keyed_by_its_full_path()
    {
        using var folder = new TempFolder();
        var file = new FileInfo(folder.File("contract.txt"));
        var input = new InputObject(file);
        Assert.Equal(file.FullName, ItemKeys.Resolve(input, null));
        Assert.Equal(file.FullName, PayloadJson.ToText(ItemPayloads.FromInput(input)));
    }

    [Fact]
    public void A_file_or_folder_payload_says_it_is_one_and_a_plain_path_does_not()
    {
        using var folder = new TempFolder();
        string file = ItemPayloads.FromInput(new InputObject(new FileInfo(folder.File("a [1].txt"))));
        string directory = ItemPayloads.FromInput(new InputObject(new DirectoryInfo(folder.Path)));
        string text = ItemPayloads.FromInput(new InputObject(folder.File("a [1].txt")));

        Assert.True(FileSystemPayload.TryRead(file, out string filePath));
        Assert.Equal(folder.File("a [1].txt"), filePath);
        Assert.Equal(filePath, PayloadJson.ToText(file)); // what a command's {Payload} and BATCHOPS_PAYLOAD get
        Assert.True(FileSystemPayload.TryRead(directory, out string directoryPath));
        Assert.Equal(new DirectoryInfo(folder.Path).FullName, directoryPath);
        Assert.False(FileSystemPayload.TryRead(text, out _));
        Assert.False(FileSystemPayload.TryRead("{\"$fileSystemPath\":\"/x\",\"other\":1}", out _)); // an object that merely has such a property
    }

    [Fact]
    public void Numbers_are_keyed_by_their_invariant_text()
    {
        Assert.Equal("1.5", ItemKeys.Resolve(new InputObject(1.5), null));
        Assert.Equal("42", ItemKeys.Resolve(new InputObject(42), null));
    }

    [Fact]
    public void An_object_is_keyed_by_Id_then_Key_then_Name()
    {
        Assert.Equal("7", ItemKeys.Resolve(InputObject.Record(("Name", "n"), ("Id", 7)), null));
        Assert.Equal("k", ItemKeys.Resolve(InputObject.Record(("Name", "n"), ("Key", "k")), null));
        Assert.Equal("n", ItemKeys.Resolve(InputObject.Record(("Name", "n"), ("Title", "t")), null));
    }

    [Fact]
    public void The_key_property_can_be_named()
    {
        Assert.Equal("SKU-9", ItemKeys.Resolve(InputObject.Record(("Sku", "SKU-9"), ("Id", 1)), "sku"));
    }

    [Fact]
    public void A_missing_key_property_is_refused_with_the_properties_the_input_has()
    {
        var e = Assert.Throws<BatchOpsException>(() => ItemKeys.Resolve(InputObject.Record(("Sku", "A"), ("Title", "T")), "ProductId"));
        Assert.Equal(ErrorIds.KeyPropertyNotFound, e.ErrorId);
        Assert.Contains("'ProductId'", e.Message);
        Assert.Contains("Sku, Title", e.Message);
    }

    [Fact]
    public void An_object_with_no_key_to_infer_is_refused()
    {
        var e = Assert.Throws<BatchOpsException>(() => ItemKeys.Resolve(InputObject.Record(("Title", "T")), null));
        Assert.Equal(ErrorIds.KeyNotInferable, e.ErrorId);
        Assert.Contains("its properties: Title", e.Message); // the advice (-Key) is the module's: ErrorTests
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Empty_keys_are_refused(string? key)
    {
        var e = Assert.Throws<BatchOpsException>(() => ItemKeys.Resolve(InputObject.Record(("Id", key)), "Id"));
        Assert.Equal(ErrorIds.KeyEmpty, e.ErrorId);
        e = Assert.Throws<BatchOpsException>(() => ItemKeys.Resolve(new InputObject(key), null));
        Assert.Equal(ErrorIds.KeyEmpty, e.ErrorId);
    }

    [Fact]
    public void Over_long_keys_are_refused()
    {
        var e = Assert.Throws<BatchOpsException>(() => ItemKeys.Validate(new string('k', ItemKeys.MaxLength + 1)));
        Assert.Equal(ErrorIds.KeyTooLong, e.ErrorId);
    }

    [Fact]
    public void Object_payloads_round_trip_through_json()
    {
        var input = InputObject.Record(("Sku", "A-1"), ("Price", 9.5), ("Tags", new[] { "x", "y" }), ("When", new DateTime(2024, 12, 1, 14, 30, 22, DateTimeKind.Utc)), ("Nothing", null));
        string json = ItemPayloads.FromInput(input);
        Assert.Equal("{\"Sku\":\"A-1\",\"Price\":9.5,\"Tags\":[\"x\",\"y\"],\"When\":\"2024-12-01T14:30:22.0000000Z\",\"Nothing\":null}", json);
        var tree = (List<KeyValuePair<string, object?>>)PayloadJson.Read(json)!;
        Assert.Equal(new[] { "Sku", "Price", "Tags", "When", "Nothing" }, tree.Select(p => p.Key));
        Assert.Equal(9.5, tree[1].Value);
        Assert.Equal(new object?[] { "x", "y" }, (List<object?>)tree[2].Value!);
    }

    [Fact]
    public void Payload_json_has_no_NaN_and_stops_at_the_depth_limit()
    {
        Assert.Equal("\"NaN\"", PayloadJson.Write(double.NaN));
        object deep = "leaf";
        for (int i = 0; i < PayloadJson.MaxDepth + 5; i++)
        {
            deep = new List<object?> { deep };
        }

        string json = PayloadJson.Write(deep);
        Assert.Equal(PayloadJson.MaxDepth, json.TakeWhile(c => c == '[').Count());
    }

    [Fact]
    public void ToText_unwraps_json_strings_and_keeps_other_json()
    {
        Assert.Equal("a \"b\"", PayloadJson.ToText(PayloadJson.FromText("a \"b\"")));
        Assert.Equal("{\"a\":1}", PayloadJson.ToText("{\"a\":1}"));
        Assert.Equal("", PayloadJson.ToText(null));
    }

    [Theory]
    [InlineData("item-1", false, "item-1")]
    [InlineData("item-*", true, "item-*")]
    [InlineData("file`[1`].txt", false, "file[1].txt")]
    [InlineData("a`*b*", true, "a[*]b*")]
    [InlineData("[ab]?", true, "[ab]?")]
    public void Powershell_wildcards_become_sqlite_globs(string pattern, bool wildcard, string expected)
    {
        Assert.Equal(wildcard, KeyPattern.HasWildcards(pattern));
        Assert.Equal(expected, wildcard ? KeyPattern.ToGlob(pattern) : KeyPattern.Unescape(pattern));
    }
}

public class JobNameCompletionTests
{
    private static BatchJob Job(string name) => new BatchJob { Name = name, Total = 10, Succeeded = 5 };

    [Fact]
    public void Names_complete_by_prefix_ignoring_case_in_order()
    {
        var jobs = new[] { Job("embed-chunks"), Job("Embed-docs"), Job("import") };
        Assert.Equal(new[] { "embed-chunks", "Embed-docs" }, JobNameCompletion.Complete(jobs, "emb").Select(c => c.Text));
        Assert.Equal(3, JobNameCompletion.Complete(jobs, "").Count);
        Assert.Empty(JobNameCompletion.Complete(jobs, "x"));
        Assert.Contains("5 of 10 succeeded (50.0%)", JobNameCompletion.Complete(jobs, "imp").Single().ToolTip);
    }

    [Fact]
    public void Names_that_need_quotes_are_quoted_and_typed_quotes_are_ignored()
    {
        var jobs = new[] { Job("nightly import"), Job("o'brien") };
        Assert.Equal("'nightly import'", JobNameCompletion.Complete(jobs, "'nigh").Single().Text);
        Assert.Equal("'o''brien'", JobNameCompletion.Complete(jobs, "o").Single().Text);
    }
}
