using System;
using System.Diagnostics;
using System.Threading.Tasks;

/// <summary>Runs one measurement in a process of its own (its peak working set is its own) and returns what it printed.</summary>
internal static class Child
{
    public const string ProfileVariable = "BATCHOPS_BENCH_PROFILE";

    public static async Task<string> Run(bool profile, params string[] args)
    {
        string self = Environment.ProcessPath!;
        string? entry = System.Reflection.Assembly.GetEntryAssembly()?.Location;
        var info = new ProcessStartInfo(self) { RedirectStandardOutput = true };
        if (self.EndsWith("dotnet", StringComparison.Ordinal) || self.EndsWith("dotnet.exe", StringComparison.Ordinal))
        {
            info.ArgumentList.Add(entry!);
        }

        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment[ProfileVariable] = profile ? "1" : "0";
        using Process child = Process.Start(info)!;
        string output = await child.StandardOutput.ReadToEndAsync();
        await child.WaitForExitAsync();
        return output;
    }
}
