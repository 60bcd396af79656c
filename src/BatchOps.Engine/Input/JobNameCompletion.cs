using System;
using System.Collections.Generic;
using System.Linq;

namespace BatchOps.Engine.Input
{
    /// <summary>One suggestion for Tab on -Job.</summary>
    public sealed class JobCompletion
    {
        public JobCompletion(string text, string listItem, string toolTip)
        {
            Text = text;
            ListItem = listItem;
            ToolTip = toolTip;
        }

        /// <summary>What Tab inserts (quoted when the name needs it).</summary>
        public string Text { get; }

        public string ListItem { get; }

        public string ToolTip { get; }
    }

    /// <summary>Which job names match what has been typed so far, as PowerShell completes names: by prefix, ignoring case.</summary>
    public static class JobNameCompletion
    {
        public static IReadOnlyList<JobCompletion> Complete(IEnumerable<BatchJob> jobs, string? wordToComplete)
        {
            string typed = (wordToComplete ?? "").Trim().Trim('\'', '"');
            return jobs
                .Where(j => j.Name.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
                .OrderBy(j => j.Name, StringComparer.OrdinalIgnoreCase)
                .Select(j => new JobCompletion(
                    Quote(j.Name),
                    j.Name,
                    $"{j.Name}: {Wording.JobStatus(j)}"))
                .ToList();
        }

        /// <summary>Single-quotes a name that PowerShell would otherwise split or interpret.</summary>
        public static string Quote(string name)
        {
            bool plain = name.Length > 0 && name.All(c => char.IsLetterOrDigit(c) || c == '-' || c == '_' || c == '.');
            return plain ? name : "'" + name.Replace("'", "''") + "'";
        }
    }
}
