using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit;

namespace BatchOps.Module.Tests;

/// <summary>The staged module folder: natives for every platform, nothing PowerShell brings itself, exports, formats.</summary>
public class ModuleLayoutTests
{
    // The staged native SQLite for each platform the module supports, and what its header must say.
    public static TheoryData<string, string, string> Natives => new()
    {
        { "win-x64", "e_sqlite3.dll", "PE x64" },
        { "linux-x64", "e_sqlite3.so", "ELF x86-64" },
        { "linux-arm64", "e_sqlite3.so", "ELF AArch64" },
        { "osx-x64", "e_sqlite3.dylib", "Mach-O x86-64" },
        { "osx-arm64", "e_sqlite3.dylib", "Mach-O arm64" },
    };

    [Theory]
    [MemberData(nameof(Natives))]
    public void The_native_sqlite_library_is_staged_for_each_platform(string rid, string file, string expected)
    {
        string path = Path.Combine(PowerShellSession.ModuleFolder, "dependencies", rid, file);
        Assert.True(File.Exists(path), $"missing {path}");
        Assert.Equal(expected, BinaryKind(File.ReadAllBytes(path)));
    }

    [Fact]
    public void The_module_does_not_ship_assemblies_powershell_provides()
    {
        Assert.False(File.Exists(Path.Combine(PowerShellSession.ModuleFolder, "System.Management.Automation.dll")));
        Assert.True(File.Exists(Path.Combine(PowerShellSession.ModuleFolder, "BatchOps.dll")));
        Assert.True(File.Exists(Path.Combine(PowerShellSession.ModuleFolder, "dependencies", "BatchOps.Engine.dll")));
        // Beside the manifest only the cmdlets and the loader: the engine's dependencies must not be found there.
        Assert.Equal(
            new[] { "BatchOps.LoadContext.dll", "BatchOps.Loader.dll", "BatchOps.dll" },
            Directory.GetFiles(PowerShellSession.ModuleFolder, "*.dll").Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal));
        Assert.True(File.Exists(Path.Combine(PowerShellSession.ModuleFolder, "en-US", "about_BatchOps.help.txt")));
    }

    [Fact]
    public void The_imported_module_exports_its_cmdlets_and_is_for_both_editions()
    {
        using var session = new PowerShellSession();
        string manifest = File.ReadAllText(PowerShellSession.ModuleManifest);
        List<string> listed = Regex.Matches(Regex.Match(manifest, @"CmdletsToExport\s*=\s*@\((?<list>[^)]*)\)").Groups["list"].Value, "'([^']+)'").Select(m => m.Groups[1].Value).OrderBy(n => n).ToList();
        List<string> exported = session.Run("(Get-Module BatchOps).ExportedCmdlets.Keys").Output.Select(o => o.ToString()).OrderBy(n => n).ToList();
        Assert.Equal(listed, exported);
        Assert.Matches(@"CompatiblePSEditions\s*=\s*@\('Core',\s*'Desktop'\)", manifest);
    }

    [Fact]
    public void The_format_file_loads_and_its_views_name_real_properties()
    {
        string path = Path.Combine(PowerShellSession.ModuleFolder, "BatchOps.Format.ps1xml");
        _ = new FormatTable(new[] { path }); // throws FormatTableLoadException on a bad file

        using var session = new PowerShellSession(); // loads the engine assembly
        session.Run("Get-BatchJob -Store nothing.db").Output.ToList(); // loads the engine
        Assembly engine = AppDomain.CurrentDomain.GetAssemblies().Single(a => a.GetName().Name == "BatchOps.Engine");
        XDocument format = XDocument.Load(path);
        foreach (XElement view in format.Descendants("View"))
        {
            string typeName = view.Element("ViewSelectedBy")!.Element("TypeName")!.Value;
            Type type = engine.GetType(typeName) ?? throw new InvalidOperationException($"The view {view.Element("Name")!.Value} selects {typeName}, which does not exist.");
            foreach (XElement property in view.Descendants("PropertyName"))
            {
                Assert.True(type.GetProperty(property.Value) != null, $"{typeName} has no property {property.Value}");
            }
        }
    }

    private static string BinaryKind(byte[] bytes)
    {
        if (bytes[0] == 'M' && bytes[1] == 'Z')
        {
            int pe = BitConverter.ToInt32(bytes, 0x3C);
            ushort machine = BitConverter.ToUInt16(bytes, pe + 4);
            return machine switch { 0x8664 => "PE x64", 0xAA64 => "PE arm64", 0x14C => "PE x86", _ => $"PE 0x{machine:X}" };
        }

        if (bytes[0] == 0x7F && bytes[1] == 'E' && bytes[2] == 'L' && bytes[3] == 'F')
        {
            ushort machine = BitConverter.ToUInt16(bytes, 18);
            return machine switch { 0x3E => "ELF x86-64", 0xB7 => "ELF AArch64", _ => $"ELF 0x{machine:X}" };
        }

        if (BitConverter.ToUInt32(bytes, 0) == 0xFEEDFACF)
        {
            uint cpu = BitConverter.ToUInt32(bytes, 4);
            return cpu switch { 0x01000007 => "Mach-O x86-64", 0x0100000C => "Mach-O arm64", _ => $"Mach-O 0x{cpu:X}" };
        }

        return "unknown";
    }
}
