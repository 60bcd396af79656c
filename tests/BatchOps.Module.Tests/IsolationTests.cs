using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;
using Xunit;

namespace BatchOps.Module.Tests;

/// <summary>
/// The module in a session that already has another Polly.Core (8.5.2, from this test project) in the default load
/// context: the engine and its dependencies must load in the module's own context, from its dependencies folder.
/// </summary>
public class IsolationTests
{
    [Fact]
    public void The_engine_and_its_dependencies_load_in_the_modules_own_context_beside_another_polly()
    {
        // Another module's Polly, loaded first.
        Assembly theirs = typeof(Polly.ResiliencePipeline).Assembly;
        Assert.Equal("8.5.2", FileVersion(theirs).ToString(3));
        Assert.Same(AssemblyLoadContext.Default, AssemblyLoadContext.GetLoadContext(theirs));

        using var session = new PowerShellSession();
        PSObject summary = session.Run("1..20 | Start-BatchRun -Job isolated -RetryLimit 2 -RetryDelay 0 -RateLimit 1000 -ScriptBlock { if ($BatchItem.Attempt -eq 1 -and $_ % 5 -eq 0) { throw 'retry me' }; $_ }").Single();
        Assert.Equal(20L, summary.Properties["Succeeded"].Value);

        Assembly engine = AppDomain.CurrentDomain.GetAssemblies().Single(a => a.GetName().Name == "BatchOps.Engine");
        AssemblyLoadContext moduleContext = AssemblyLoadContext.GetLoadContext(engine)!;
        Assert.Equal("BatchOps", moduleContext.Name);
        string dependencies = Path.Combine(PowerShellSession.ModuleFolder, "dependencies");
        Assert.Equal(dependencies, Path.GetDirectoryName(engine.Location));

        // The module's Polly (8.9.1) is in its own context, from its own folder; the other one is untouched.
        Assembly ours = moduleContext.Assemblies.Single(a => a.GetName().Name == "Polly.Core");
        Assert.Equal("8.9.1", FileVersion(ours).ToString(3));
        Assert.Equal(dependencies, Path.GetDirectoryName(ours.Location));
        Assert.NotSame(theirs, ours);
        foreach (string name in new[] { "Microsoft.Data.Sqlite", "SQLitePCLRaw.core" })
        {
            Assert.Equal(dependencies, Path.GetDirectoryName(moduleContext.Assemblies.Single(a => a.GetName().Name == name).Location));
        }

        // What .NET provides is shared, not loaded twice.
        Assert.DoesNotContain(moduleContext.Assemblies, a => a.GetName().Name is "System.Text.Json" or "System.Memory" or "System.Threading.Channels");

        // Cmdlets stay in the default context, and the engine's types are usable from PowerShell.
        Assembly cmdlets = AppDomain.CurrentDomain.GetAssemblies().Single(a => a.GetName().Name == "BatchOps");
        Assert.Same(AssemblyLoadContext.Default, AssemblyLoadContext.GetLoadContext(cmdlets));
        // PowerShell resolves a bare type literal only from the default context (PowerShell/PowerShell#11088), so
        // the engine's types are named with their assembly; formatting goes by PSTypeNames and is unaffected.
        Assert.Equal(true, session.Run("(Get-BatchJob isolated) -is [BatchOps.BatchJob, BatchOps.Engine]").Single().BaseObject);
        Assert.Equal("BatchOps.BatchJob", session.Run("(Get-BatchJob isolated).PSTypeNames[0]").Single().BaseObject);
    }

    [Fact]
    public void The_module_keeps_its_own_Microsoft_Bcl_AsyncInterfaces_beside_a_newer_one()
    {
        Assembly theirs = AssemblyLoadContext.Default.LoadFromAssemblyName(new AssemblyName("Microsoft.Bcl.AsyncInterfaces"));
        Assert.Equal(10, theirs.GetName().Version!.Major);

        using var session = new PowerShellSession();
        PSObject summary = session.Run("1..10 | Start-BatchRun -Job async -ScriptBlock { $_ }").Single();
        Assert.Equal(10L, summary.Properties["Succeeded"].Value);

        Assembly engine = AppDomain.CurrentDomain.GetAssemblies().Single(a => a.GetName().Name == "BatchOps.Engine");
        AssemblyLoadContext moduleContext = AssemblyLoadContext.GetLoadContext(engine)!;
        Assembly ours = moduleContext.Assemblies.Single(a => a.GetName().Name == "Microsoft.Bcl.AsyncInterfaces");
        Assert.Equal(8, ours.GetName().Version!.Major);
        Assert.NotSame(theirs, ours);
    }

    [Fact]
    public void The_cmdlets_reference_no_dependency_of_the_engine_that_only_the_modules_context_has()
    {
        // The cmdlets load in PowerShell's default context. An assembly they reference would be looked up there, where
        // another module's copy (or none) is found: only the engine itself may cross, handed over by the loader.
        // A regression this catches: an engine signature with a TimeProvider parameter (Microsoft.Bcl.TimeProvider).
        string module = PowerShellSession.ModuleFolder;
        string runtime = System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory();
        string[] framework = Directory.GetFiles(runtime, "*.dll");
        using var context = new MetadataLoadContext(new PathAssemblyResolver(framework.Append(Path.Combine(module, "BatchOps.dll"))));
        string[] referenced = context.LoadFromAssemblyPath(Path.Combine(module, "BatchOps.dll")).GetReferencedAssemblies().Select(a => a.Name!).ToArray();
        string[] moduleOnly = Directory.GetFiles(Path.Combine(module, "dependencies"), "*.dll").Select(Path.GetFileNameWithoutExtension)
            .Except(framework.Select(Path.GetFileNameWithoutExtension)).ToArray()!;

        Assert.Contains("Polly.Core", moduleOnly); // the check has something to check
        Assert.Equal(new[] { "BatchOps.Engine" }, referenced.Intersect(moduleOnly).ToArray());
    }

    private static Version FileVersion(Assembly assembly) =>
        Version.Parse(System.Diagnostics.FileVersionInfo.GetVersionInfo(assembly.Location).FileVersion!);
}
