using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;

namespace BatchOps.Loader
{
    /// <summary>
    /// Makes the engine and its dependencies, kept in the module's dependencies folder, load without clashing with
    /// other modules. PowerShell imports this nested module before the cmdlets (BatchOps.dll), so the resolver is in
    /// place before anything asks for the engine. On PowerShell 7 the work is done by BatchOps.LoadContext (a .NET 8
    /// AssemblyLoadContext); on Windows PowerShell 5.1, which has one load context, by an AssemblyResolve handler.
    /// </summary>
    public sealed class DependencyLoader : IModuleAssemblyInitializer
    {
        private static readonly object Gate = new object();
        private static bool s_installed;

        public void OnImport()
        {
            lock (Gate)
            {
                if (s_installed)
                {
                    return;
                }

                string module = Path.GetDirectoryName(typeof(DependencyLoader).Assembly.Location)!;
                string dependencies = Path.Combine(module, "dependencies");
                if (RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal))
                {
                    AppDomain.CurrentDomain.AssemblyResolve += (_, args) => ResolveFromFolder(dependencies, new AssemblyName(args.Name));
                }
                else
                {
                    Assembly context = Assembly.LoadFrom(Path.Combine(module, "BatchOps.LoadContext.dll"));
                    context.GetType("BatchOps.LoadContext.ModuleLoadContext", throwOnError: true)!
                        .GetMethod("Install", BindingFlags.Public | BindingFlags.Static)!
                        .Invoke(null, new object[] { dependencies });
                }

                s_installed = true;
            }
        }

        // Windows PowerShell: whatever version was asked for, the copy the module ships (a dynamic binding redirect).
        private static Assembly? ResolveFromFolder(string folder, AssemblyName name)
        {
            string path = Path.Combine(folder, name.Name + ".dll");
            return File.Exists(path) ? Assembly.LoadFrom(path) : null;
        }
    }
}
