using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;
using Xunit;

namespace BatchOps.Module.Tests;

/// <summary>
/// What the module's assemblies promise about isolation, read without loading them. Isolation in a real pwsh that
/// loaded another Polly.Core and Microsoft.Bcl.AsyncInterfaces first is tested by tests/Pester/Console.Tests.ps1.
/// </summary>
public class IsolationTests
{
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
}
