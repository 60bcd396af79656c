using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Processing
{
    /// <summary>Finds the executable for a command name as a shell would (PATH, and PATHEXT on Windows).</summary>
    public static class CommandResolver
    {
        /// <summary>The full path of the command, or a CommandNotFound error that says where it looked.</summary>
        public static string Resolve(string command, string workingDirectory, string? pathVariable = null)
        {
            if (string.IsNullOrWhiteSpace(command))
            {
                throw BatchOpsException.InvalidArgument(ErrorIds.CommandNotFound, "The command is empty: there is no program to run for each item.", command);
            }

            bool windows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
            if (command.IndexOf('/') >= 0 || (windows && command.IndexOf('\\') >= 0))
            {
                string path = Path.GetFullPath(Path.Combine(workingDirectory, command));
                foreach (string candidate in WithExtensions(path, windows))
                {
                    if (File.Exists(candidate))
                    {
                        return candidate;
                    }
                }

                throw NotFound(command, $"there is no file '{path}'");
            }

            string searchPath = pathVariable ?? Environment.GetEnvironmentVariable("PATH") ?? "";
            foreach (string folder in searchPath.Split(new[] { Path.PathSeparator }, StringSplitOptions.RemoveEmptyEntries))
            {
                string baseName;
                try
                {
                    baseName = Path.Combine(folder.Trim('"'), command);
                }
                catch (ArgumentException)
                {
                    continue;
                }

                foreach (string candidate in WithExtensions(baseName, windows))
                {
                    if (File.Exists(candidate))
                    {
                        return candidate;
                    }
                }
            }

            throw NotFound(command, "it is not in any folder on PATH");
        }

        private static IEnumerable<string> WithExtensions(string path, bool windows)
        {
            yield return path;
            if (!windows || Path.HasExtension(path))
            {
                yield break;
            }

            string extensions = Environment.GetEnvironmentVariable("PATHEXT") ?? ".COM;.EXE;.BAT;.CMD";
            foreach (string extension in extensions.Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries))
            {
                yield return path + extension;
            }
        }

        private static BatchOpsException NotFound(string command, string why) =>
            new BatchOpsException(
                ErrorIds.CommandNotFound,
                BatchOpsErrorCategory.ObjectNotFound,
                $"The command '{command}' cannot be found: {why}.",
                command);
    }
}
