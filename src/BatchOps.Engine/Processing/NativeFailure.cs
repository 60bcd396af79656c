using System;
using System.Globalization;
using System.Linq;

namespace BatchOps.Engine.Processing
{
    /// <summary>
    /// The error of a program that exited non-zero, for -Command and for a native command in a script block alike:
    /// "Exit code 2: ValueError: bad input", then the rest of its standard error's tail. The last line of a program's
    /// complaint usually says why (a Python traceback ends with its exception), so it comes first, where a table
    /// column or a log line is cut.
    /// </summary>
    public static class NativeFailure
    {
        public static string Message(int exitCode, string standardError)
        {
            string head = "Exit code " + exitCode.ToString(CultureInfo.InvariantCulture);
            string tail = standardError.Trim();
            if (tail.Length == 0)
            {
                return head + ".";
            }

            string last = tail.Split('\n').Select(l => l.Trim()).Last(l => l.Length > 0);
            return last.Length == tail.Length ? $"{head}: {last}" : $"{head}: {last}{Environment.NewLine}{tail}";
        }
    }
}
