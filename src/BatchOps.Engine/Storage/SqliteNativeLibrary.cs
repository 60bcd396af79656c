using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Threading;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// Makes the native SQLite library loadable when the engine runs from a module folder. NuGet lays natives out as
    /// runtimes/&lt;rid&gt;/native/, which nothing searches for a library that PowerShell loads, so the build stages them as
    /// &lt;module&gt;/dependencies/&lt;rid&gt;/e_sqlite3.{dll,so,dylib} (beside the engine) and this class points the runtime at that file. In an ordinary
    /// application (tests, benchmarks) no staged file exists and the runtime's own probing is left alone.
    /// </summary>
    internal static class SqliteNativeLibrary
    {
        private const string LibraryName = "e_sqlite3";
        private static int s_registered;
        private static string? s_stagedPath;
        private static IntPtr s_handle;

        /// <summary>The platform's runtime identifier as NuGet names it (win-x64, linux-arm64, osx-arm64 ...).</summary>
        public static string CurrentRid
        {
            get
            {
                string os = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "win"
                    : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? "osx"
                    : "linux";
                string arch = RuntimeInformation.ProcessArchitecture switch
                {
                    Architecture.X64 => "x64",
                    Architecture.X86 => "x86",
                    Architecture.Arm64 => "arm64",
                    Architecture.Arm => "arm",
                    _ => RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant(),
                };
                return os + "-" + arch;
            }
        }

        /// <summary>The file name of the native library on this platform, as staged in the module folder.</summary>
        public static string StagedFileName =>
            RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? LibraryName + ".dll"
            : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? LibraryName + ".dylib"
            : LibraryName + ".so";

        /// <summary>Registers the resolver once per process. Safe to call from any thread, as often as you like.</summary>
        public static void EnsureResolvable()
        {
            if (Interlocked.Exchange(ref s_registered, 1) == 1)
            {
                return;
            }

            Assembly provider = typeof(SQLitePCL.SQLite3Provider_e_sqlite3).Assembly;
            string? folder = Path.GetDirectoryName(provider.Location);
            if (string.IsNullOrEmpty(folder))
            {
                return;
            }

            string staged = Path.Combine(folder, CurrentRid, StagedFileName);
            if (!File.Exists(staged))
            {
                return;
            }

            s_stagedPath = staged;
            if (RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal))
            {
                // Windows PowerShell 5.1: a library already loaded by full path satisfies a later DllImport by name.
                LoadLibraryW(staged);
                return;
            }

            RegisterDllImportResolver(provider);
        }

        // NativeLibrary exists from .NET Core 3.0; netstandard2.0 cannot name it, so it is reached by reflection.
        private static void RegisterDllImportResolver(Assembly provider)
        {
            Type? nativeLibrary = Type.GetType("System.Runtime.InteropServices.NativeLibrary", throwOnError: false);
            Type? resolverType = Type.GetType("System.Runtime.InteropServices.DllImportResolver", throwOnError: false);
            MethodInfo? setResolver = nativeLibrary?.GetMethod("SetDllImportResolver", BindingFlags.Public | BindingFlags.Static);
            MethodInfo? resolve = typeof(SqliteNativeLibrary).GetMethod(nameof(Resolve), BindingFlags.NonPublic | BindingFlags.Static);
            if (setResolver == null || resolverType == null || resolve == null)
            {
                return;
            }

            try
            {
                setResolver.Invoke(null, new object[] { provider, Delegate.CreateDelegate(resolverType, resolve) });
            }
            catch (TargetInvocationException e) when (e.InnerException is InvalidOperationException)
            {
                // Somebody registered a resolver for this assembly first; theirs decides.
            }
        }

        private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
        {
            if (!string.Equals(libraryName, LibraryName, StringComparison.Ordinal) || s_stagedPath == null)
            {
                return IntPtr.Zero;
            }

            if (s_handle == IntPtr.Zero)
            {
                MethodInfo? load = Type.GetType("System.Runtime.InteropServices.NativeLibrary")?.GetMethod("Load", new[] { typeof(string) });
                if (load != null)
                {
                    s_handle = (IntPtr)load.Invoke(null, new object[] { s_stagedPath })!;
                }
            }

            return s_handle;
        }

        [DllImport("kernel32", CharSet = CharSet.Unicode, SetLastError = true)]
        private static extern IntPtr LoadLibraryW(string path);
    }
}
