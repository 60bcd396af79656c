using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace BatchOps.Module.Tests;

/// <summary>A PowerShell runspace with the staged BatchOps module imported, in a folder of its own.</summary>
public sealed class PowerShellSession : IDisposable
{
    private readonly Runspace _runspace;

    private readonly bool _ownsFolder;

    /// <param name="folder">Share another session's folder (a second window on the same store); a new one if null.</param>
    public PowerShellSession(string? folder = null)
    {
        _ownsFolder = folder == null;
        Folder = folder ?? Path.Combine(Path.GetTempPath(), "batchops-module-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        _runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        _runspace.Open();
        _runspace.SessionStateProxy.Path.SetLocation(Folder);
        Result import = Run($"Import-Module '{ModuleManifest}' -ErrorAction Stop");
        if (import.Errors.Count > 0)
        {
            throw new InvalidOperationException("Import-Module failed: " + import.Errors[0]);
        }
    }

    /// <summary>The module folder the build staged: out/BatchOps under the repository root.</summary>
    public static string ModuleFolder => Path.Combine(RepositoryRoot, "out", "BatchOps");

    public static string ModuleManifest => Path.Combine(ModuleFolder, "BatchOps.psd1");

    public static string RepositoryRoot
    {
        get
        {
            string? dir = AppContext.BaseDirectory;
            while (dir != null && !System.IO.File.Exists(Path.Combine(dir, "BatchOps.psd1")))
            {
                dir = Path.GetDirectoryName(dir);
            }

            return dir ?? throw new InvalidOperationException("Cannot find the repository root (BatchOps.psd1) above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>The session's current folder (its $PWD), where batchops.db goes by default.</summary>
    public string Folder { get; }

    public string File(string name) => Path.Combine(Folder, name);

    /// <summary>A PowerShell instance on this session's runspace, for tests that drive it themselves (Stop, BeginInvoke).</summary>
    public PowerShell NewShell()
    {
        PowerShell shell = PowerShell.Create();
        shell.Runspace = _runspace;
        return shell;
    }

    /// <summary>Runs a script; a terminating error is returned as the exception, not thrown.</summary>
    public Result Run(string script, object? input = null)
    {
        using PowerShell shell = PowerShell.Create();
        shell.Runspace = _runspace;
        shell.AddScript(script);
        Collection<PSObject> output;
        Exception? thrown = null;
        try
        {
            output = input == null ? shell.Invoke() : shell.Invoke(new[] { input });
        }
        catch (RuntimeException e)
        {
            output = new Collection<PSObject>();
            thrown = e;
        }

        return new Result(
            output.ToList(),
            shell.Streams.Error.ToList(),
            shell.Streams.Warning.Select(w => w.Message).ToList(),
            shell.Streams.Verbose.Select(v => v.Message).ToList(),
            shell.Streams.Progress.ToList(),
            thrown);
    }

    public void Dispose()
    {
        _runspace.Dispose();
        if (!_ownsFolder)
        {
            return;
        }

        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public sealed record Result(
        List<PSObject> Output,
        List<ErrorRecord> Errors,
        List<string> Warnings,
        List<string> Verbose,
        List<ProgressRecord> Progress,
        Exception? Thrown)
    {
        public PSObject Single()
        {
            if (Errors.Count > 0 || Thrown != null)
            {
                throw new InvalidOperationException("The script failed: " + (Thrown?.Message ?? Errors[0].ToString()));
            }

            return Output.Single();
        }

        /// <summary>The ErrorId of the first error (the part before the comma of its FullyQualifiedErrorId).</summary>
        public string? FirstErrorId => (Thrown as IContainsErrorRecord)?.ErrorRecord.FullyQualifiedErrorId.Split(',')[0]
            ?? Errors.FirstOrDefault()?.FullyQualifiedErrorId.Split(',')[0];
    }
}
