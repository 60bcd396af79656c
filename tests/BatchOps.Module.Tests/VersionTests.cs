using System;
using System.Diagnostics;
using System.IO;
using System.Reflection;
using System.Text.RegularExpressions;
using Xunit;

namespace BatchOps.Module.Tests;

/// <summary>One version source: every shipped assembly carries the manifest's ModuleVersion (Directory.Build.props reads it).</summary>
public class VersionTests
{
    [Theory]
    [InlineData("BatchOps.dll")]
    [InlineData("BatchOps.Loader.dll")]
    [InlineData("BatchOps.LoadContext.dll")]
    [InlineData("dependencies/BatchOps.Engine.dll")]
    public void Every_assembly_has_the_module_version(string file)
    {
        string manifest = File.ReadAllText(Path.Combine(PowerShellSession.RepositoryRoot, "BatchOps.psd1"));
        var moduleVersion = new Version(Regex.Match(manifest, @"ModuleVersion\s*=\s*'([^']+)'").Groups[1].Value);
        string path = Path.Combine(PowerShellSession.ModuleFolder, file);

        Version assembly = AssemblyName.GetAssemblyName(path).Version!;
        Assert.Equal((moduleVersion.Major, moduleVersion.Minor, Math.Max(0, moduleVersion.Build)), (assembly.Major, assembly.Minor, assembly.Build));
        Assert.StartsWith(moduleVersion.ToString(), FileVersionInfo.GetVersionInfo(path).ProductVersion);
    }

    [Fact]
    public void The_staged_manifest_is_the_repository_manifest()
    {
        Assert.Equal(
            File.ReadAllText(Path.Combine(PowerShellSession.RepositoryRoot, "BatchOps.psd1")),
            File.ReadAllText(PowerShellSession.ModuleManifest));
    }
}
