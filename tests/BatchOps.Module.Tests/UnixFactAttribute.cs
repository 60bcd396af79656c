using System.Runtime.InteropServices;
using Xunit;

namespace BatchOps.Module.Tests;

/// <summary>Only where /bin/sh exists (the CI machines are Linux); skipped, not passed, elsewhere.</summary>
public sealed class UnixFactAttribute : FactAttribute
{
    public UnixFactAttribute()
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            Skip = "needs /bin/sh";
        }
    }
}
