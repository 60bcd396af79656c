using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace BatchOps.LoadContext
{
    /// <summary>
    /// The module's own load context ("Resolving PowerShell module assembly dependency conflicts", PowerShell docs):
    /// the engine and its dependencies (Polly, Microsoft.Data.Sqlite, SQLitePCLRaw ...) load here from the module's
    /// dependencies folder, so that another module's copy of them in the default context cannot break ours, nor ours
    /// theirs. Assemblies that .NET itself provides are left to the default context, so that there is one Span, one
    /// ValueTask, one System.Text.Json for everybody. The native SQLite library needs nothing here: the engine points
    /// the runtime at dependencies/&lt;rid&gt;/ itself (SqliteNativeLibrary), in whatever context it runs.
    /// </summary>
    public sealed class ModuleLoadContext : AssemblyLoadContext
    {
        private const string EngineAssembly = "BatchOps.Engine";
        private static ModuleLoadContext? s_instance;
        private readonly string _dependencies;
        private readonly string _framework;

        private ModuleLoadContext(string dependencies)
            : base("BatchOps", isCollectible: false)
        {
            _dependencies = dependencies;
            _framework = RuntimeEnvironment.GetRuntimeDirectory();
        }

        /// <summary>
        /// Creates the context once, and has the default context hand the engine assembly to it: the cmdlets (in the
        /// default context) then bind to the engine in this one, and the engine's dependencies resolve here.
        /// </summary>
        public static void Install(string dependencies)
        {
            if (s_instance != null)
            {
                return;
            }

            s_instance = new ModuleLoadContext(dependencies);
            Default.Resolving += (_, name) => string.Equals(name.Name, EngineAssembly, StringComparison.Ordinal) ? s_instance.LoadFromAssemblyName(name) : null;
        }

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            string file = assemblyName.Name + ".dll";
            if (ProvidedBy(_framework, file, assemblyName.Version))
            {
                return null; // part of .NET (or of a self-contained PowerShell): the default context's copy
            }

            string path = Path.Combine(_dependencies, file);
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }

        // True when the folder has the assembly in the version asked for or newer. An older copy (PowerShell 7.4
        // carrying 8.0 where the engine was built against 10.0) would fail the bind, so the module loads its own.
        private static bool ProvidedBy(string folder, string file, Version? wanted)
        {
            string path = Path.Combine(folder, file);
            if (!File.Exists(path))
            {
                return false;
            }

            try
            {
                return wanted == null || AssemblyName.GetAssemblyName(path).Version >= wanted;
            }
            catch (BadImageFormatException)
            {
                return false; // a native file of the same name
            }
        }
    }
}
