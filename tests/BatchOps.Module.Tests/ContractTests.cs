using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Xunit;

namespace BatchOps.Module.Tests;

/// <summary>A cmdlet of the built module, read with MetadataLoadContext (nothing is loaded or run).</summary>
public sealed record CmdletInfo(string Name, string Verb, bool SupportsShouldProcess, bool HasOutputType, IReadOnlyList<ParameterInfo> Parameters);

public sealed record ParameterInfo(string Name, string Set, bool FromPipeline);

/// <summary>
/// The rules of a well-made module, checked by reflection over out/BatchOps/BatchOps.dll: approved verbs, declared
/// output types, ShouldProcess on every verb that changes or stops something, pipeline input in every parameter set,
/// the manifest's exports, and a help page for every cmdlet and parameter.
/// </summary>
public class ContractTests
{
    private static readonly Lazy<IReadOnlyList<CmdletInfo>> Cmdlets = new(ReadCmdlets);

    private static readonly HashSet<string> ChangingVerbs = new(StringComparer.OrdinalIgnoreCase)
    {
        "Remove", "Clear", "Reset", "Stop", "Set", "Restore", "Suspend", "Resume", "Update", "Rename", "Move",
    };

    // Parameters PowerShell adds itself; help pages document them as CommonParameters or as -WhatIf/-Confirm.
    private static readonly HashSet<string> Common = new(StringComparer.OrdinalIgnoreCase) { "WhatIf", "Confirm" };

    public static TheoryData<string> CmdletNames()
    {
        var data = new TheoryData<string>();
        foreach (CmdletInfo c in Cmdlets.Value)
        {
            data.Add(c.Name);
        }

        return data;
    }

    private static CmdletInfo Cmdlet(string name) => Cmdlets.Value.Single(c => c.Name == name);

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void Each_cmdlet_uses_an_approved_verb(string name)
    {
        HashSet<string> approved = new[] { typeof(VerbsCommon), typeof(VerbsData), typeof(VerbsLifecycle), typeof(VerbsDiagnostic), typeof(VerbsCommunications), typeof(VerbsSecurity), typeof(VerbsOther) }
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Select(f => (string)f.GetValue(null)!)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        Assert.Contains(Cmdlet(name).Verb, approved);
    }

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void Each_cmdlet_declares_its_output_type(string name) => Assert.True(Cmdlet(name).HasOutputType, $"{name} has no [OutputType]");

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void Each_cmdlet_that_changes_or_stops_something_supports_WhatIf(string name)
    {
        CmdletInfo cmdlet = Cmdlet(name);
        if (ChangingVerbs.Contains(cmdlet.Verb))
        {
            Assert.True(cmdlet.SupportsShouldProcess, $"{name} changes things but does not support -WhatIf/-Confirm");
        }
    }

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void Each_parameter_set_takes_pipeline_input(string name)
    {
        CmdletInfo cmdlet = Cmdlet(name);
        foreach (IGrouping<string, ParameterInfo> set in cmdlet.Parameters.Where(p => p.Set != "__AllParameterSets").GroupBy(p => p.Set))
        {
            IEnumerable<ParameterInfo> inSet = set.Concat(cmdlet.Parameters.Where(p => p.Set == "__AllParameterSets"));
            Assert.True(inSet.Any(p => p.FromPipeline), $"{name}, parameter set {set.Key}, takes nothing from the pipeline");
        }

        Assert.True(cmdlet.Parameters.Any(p => p.FromPipeline), $"{name} takes nothing from the pipeline");
    }

    [Fact]
    public void The_manifest_exports_exactly_the_cmdlets_in_the_assembly()
    {
        string manifest = File.ReadAllText(PowerShellSession.ModuleManifest);
        Match block = Regex.Match(manifest, @"CmdletsToExport\s*=\s*@\((?<list>[^)]*)\)");
        Assert.True(block.Success, "the manifest has no CmdletsToExport list");
        Assert.DoesNotContain("*", block.Value);
        IEnumerable<string> listed = Regex.Matches(block.Groups["list"].Value, "'([^']+)'").Select(m => m.Groups[1].Value);
        Assert.Equal(Cmdlets.Value.Select(c => c.Name).OrderBy(n => n), listed.OrderBy(n => n));
    }

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void Each_cmdlet_has_a_help_page_that_documents_exactly_its_parameters(string name)
    {
        string page = Path.Combine(PowerShellSession.RepositoryRoot, "docs", name + ".md");
        Assert.True(File.Exists(page), $"{name} has no help page at docs/{name}.md");
        string text = File.ReadAllText(page);
        Assert.Matches(@"(?m)^## SYNOPSIS\s*\n\s*\S", text);
        Assert.Matches(@"(?m)^## DESCRIPTION\s*\n\s*\S", text);
        Assert.True(Regex.Matches(text, @"(?m)^### Example \d").Count >= 2, $"docs/{name}.md has fewer than two examples");

        HashSet<string> documented = Regex.Matches(text, @"(?m)^### -(\w+)\s*$").Select(m => m.Groups[1].Value).ToHashSet(StringComparer.OrdinalIgnoreCase);
        HashSet<string> actual = Cmdlet(name).Parameters.Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        Assert.Empty(actual.Except(documented, StringComparer.OrdinalIgnoreCase)); // undocumented parameters
        Assert.Empty(documented.Except(actual, StringComparer.OrdinalIgnoreCase).Except(Common)); // documented but not there
        foreach (string parameter in actual)
        {
            Match section = Regex.Match(text, $@"(?ms)^### -{parameter}\s*\n(?<body>.*?)```yaml");
            Assert.True(section.Success && section.Groups["body"].Value.Trim().Length > 0, $"docs/{name}.md does not describe -{parameter}");
        }
    }

    private static IReadOnlyList<CmdletInfo> ReadCmdlets()
    {
        string module = PowerShellSession.ModuleFolder;
        var paths = new List<string>(Directory.GetFiles(RuntimeEnvironment.GetRuntimeDirectory(), "*.dll"));
        paths.AddRange(Directory.GetFiles(module, "*.dll"));
        paths.AddRange(Directory.GetFiles(Path.Combine(module, "dependencies"), "*.dll").Where(p => !paths.Any(q => Path.GetFileName(q) == Path.GetFileName(p))));
        paths.Add(typeof(PSCmdlet).Assembly.Location); // the PowerShell the cmdlets were written against, for their attributes
        using var context = new MetadataLoadContext(new PathAssemblyResolver(paths.Distinct(StringComparer.Ordinal)));
        Assembly assembly = context.LoadFromAssemblyPath(Path.Combine(module, "BatchOps.dll"));
        var cmdlets = new List<CmdletInfo>();
        foreach (Type type in assembly.GetTypes())
        {
            CustomAttributeData? cmdlet = type.GetCustomAttributesData().SingleOrDefault(a => a.AttributeType.FullName == typeof(CmdletAttribute).FullName);
            if (cmdlet == null)
            {
                continue;
            }

            string verb = (string)cmdlet.ConstructorArguments[0].Value!;
            string noun = (string)cmdlet.ConstructorArguments[1].Value!;
            bool shouldProcess = cmdlet.NamedArguments.Any(n => n.MemberName == nameof(CmdletAttribute.SupportsShouldProcess) && (bool)n.TypedValue.Value!);
            bool outputType = type.GetCustomAttributesData().Any(a => a.AttributeType.FullName == typeof(OutputTypeAttribute).FullName);
            var parameters = new List<ParameterInfo>();
            foreach (PropertyInfo property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                foreach (CustomAttributeData parameter in property.GetCustomAttributesData().Where(a => a.AttributeType.FullName == typeof(ParameterAttribute).FullName))
                {
                    string set = parameter.NamedArguments.Where(n => n.MemberName == nameof(ParameterAttribute.ParameterSetName)).Select(n => (string)n.TypedValue.Value!).FirstOrDefault() ?? "__AllParameterSets";
                    bool fromPipeline = parameter.NamedArguments.Any(n => (n.MemberName == nameof(ParameterAttribute.ValueFromPipeline) || n.MemberName == nameof(ParameterAttribute.ValueFromPipelineByPropertyName)) && (bool)n.TypedValue.Value!);
                    parameters.Add(new ParameterInfo(property.Name, set, fromPipeline));
                }
            }

            cmdlets.Add(new CmdletInfo(verb + "-" + noun, verb, shouldProcess, outputType, parameters));
        }

        return cmdlets.OrderBy(c => c.Name).ToList();
    }
}
