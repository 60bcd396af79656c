using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace BatchOps.Engine.Processing
{
    /// <summary>
    /// Passes an argument array to a process without a shell, so that a key or payload holding spaces, quotes or
    /// shell characters reaches the program as one argument, unchanged.
    /// </summary>
    internal static class CommandLine
    {
        // ProcessStartInfo.ArgumentList exists from .NET Core 2.1 (so in every PowerShell 7) but not in netstandard2.0.
        private static readonly PropertyInfo? ArgumentListProperty = typeof(ProcessStartInfo).GetProperty("ArgumentList");

        public static void SetArguments(ProcessStartInfo info, IEnumerable<string> arguments)
        {
            if (ArgumentListProperty?.GetValue(info) is Collection<string> list)
            {
                foreach (string argument in arguments)
                {
                    list.Add(argument);
                }

                return;
            }

            info.Arguments = Join(arguments);
        }

        /// <summary>
        /// Quotes arguments by the rules the Windows C runtime (CommandLineToArgvW) and .NET use to split a command
        /// line: only the .NET Framework path needs this.
        /// </summary>
        public static string Join(IEnumerable<string> arguments)
        {
            var line = new StringBuilder();
            foreach (string argument in arguments)
            {
                if (line.Length > 0)
                {
                    line.Append(' ');
                }

                AppendQuoted(line, argument);
            }

            return line.ToString();
        }

        private static void AppendQuoted(StringBuilder line, string argument)
        {
            if (argument.Length > 0 && argument.IndexOfAny(new[] { ' ', '\t', '\n', '\v', '"' }) < 0)
            {
                line.Append(argument);
                return;
            }

            line.Append('"');
            int backslashes = 0;
            foreach (char c in argument)
            {
                if (c == '\\')
                {
                    backslashes++;
                    continue;
                }

                if (c == '"')
                {
                    // Backslashes before a quote are escaped, and so is the quote.
                    line.Append('\\', backslashes * 2 + 1);
                }
                else
                {
                    line.Append('\\', backslashes);
                }

                backslashes = 0;
                line.Append(c);
            }

            // Backslashes before the closing quote are escaped so that they do not escape it.
            line.Append('\\', backslashes * 2);
            line.Append('"');
        }
    }
}
