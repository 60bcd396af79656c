using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using Xunit;

namespace BatchOps.Engine.Tests;

/// <summary>
/// A real, small file system (tmpfs of 2 MB) mounted for one test, that a test can fill to the last few kilobytes
/// and free again. Needs root on Linux; unmounted on dispose.
/// </summary>
internal sealed class SmallDisk : IDisposable
{
    private static readonly Lazy<string?> Unavailable = new Lazy<string?>(WhyUnavailable);
    private readonly TempFolder _mountPoint = new TempFolder();
    private string Filler => System.IO.Path.Combine(Path, "filler.bin");

    public SmallDisk(string size = "2m")
    {
        Run("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0755", "tmpfs", _mountPoint.Path);
    }

    public string Path => _mountPoint.Path;

    /// <summary>Why these tests cannot run here (not Linux, not root, mount refused), or null.</summary>
    public static string? SkipReason => Unavailable.Value;

    public long FreeBytes => new DriveInfo(Path).AvailableFreeSpace;

    /// <summary>Writes a filler file until only about <paramref name="leaveBytes"/> are free.</summary>
    public void Fill(long leaveBytes)
    {
        long toWrite = Math.Max(0, FreeBytes - leaveBytes);
        var block = new byte[4096];
        using var stream = new FileStream(Filler, FileMode.Append, FileAccess.Write);
        for (long written = 0; written < toWrite; written += block.Length)
        {
            stream.Write(block, 0, (int)Math.Min(block.Length, toWrite - written));
        }
    }

    /// <summary>Gives the filler's space back.</summary>
    public void Free() => File.Delete(Filler);

    public void Dispose()
    {
        try
        {
            Run("umount", "-l", _mountPoint.Path);
        }
        finally
        {
            _mountPoint.Dispose();
        }
    }

    private static string? WhyUnavailable()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
        {
            return "needs Linux (a tmpfs mount)";
        }

        if (geteuid() != 0)
        {
            return "needs root, to mount a small tmpfs that can be filled";
        }

        try
        {
            new SmallDisk("64k").Dispose();
            return null;
        }
        catch (InvalidOperationException e)
        {
            return "mounting a tmpfs is not permitted here: " + e.Message;
        }
    }

    private static void Run(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using Process p = Process.Start(info)!;
        string error = p.StandardError.ReadToEnd();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(" ", args)} failed ({p.ExitCode}): {error.Trim()}");
        }
    }

    [DllImport("libc")]
    private static extern uint geteuid();
}

/// <summary>A test that needs a <see cref="SmallDisk"/>: reported as skipped, with the reason, where none can be mounted.</summary>
public sealed class SmallDiskFactAttribute : FactAttribute
{
    public SmallDiskFactAttribute()
    {
        if (SmallDisk.SkipReason is string reason)
        {
            Skip = reason;
        }
    }
}
