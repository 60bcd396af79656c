// Shared by the xunit projects (linked into each, see their .csproj): the global using makes it visible there.
global using BatchOps.Tests.Shared;
using System.Runtime.InteropServices;
using Xunit;

namespace BatchOps.Tests.Shared;

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
