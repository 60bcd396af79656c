using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using BatchOps.Engine;
using BatchOps.Engine.Storage;
using BatchOps.Engine.Errors;
using BatchOps.Engine.Input;

namespace BatchOps.Infrastructure
{
    /// <summary>
    /// Tab on -Job: the names of the jobs in the store the command would use (its -Store if already typed, else
    /// $env:BATCHOPS_STORE, else batchops.db in the current location). Quietly offers nothing when there is no store.
    /// </summary>
    public sealed class JobNameCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            try
            {
                string? path = StorePathForCompletion(fakeBoundParameters);
                if (path == null || !System.IO.File.Exists(path))
                {
                    return Enumerable.Empty<CompletionResult>();
                }

                using IJobStore store = JobStoreFactory.Open(path, StoreAccess.ReadOnly);
                return JobNameCompletion.Complete(store.GetJobs(), wordToComplete)
                    .Select(c => new CompletionResult(c.Text, c.ListItem, CompletionResultType.ParameterValue, c.ToolTip))
                    .ToList();
            }
            catch (Exception e) when (e is BatchOpsException || e is RuntimeException || e is System.IO.IOException || e is UnauthorizedAccessException)
            {
                return Enumerable.Empty<CompletionResult>(); // Tab must never throw at the user
            }
        }

        /// <summary>The store's full path, resolved like the cmdlets resolve it, in the runspace that asked.</summary>
        private static string? StorePathForCompletion(IDictionary fakeBoundParameters)
        {
            object? typed = fakeBoundParameters["Store"];
            string? raw = PSValue.Unwrap(typed) as string;
            if (string.IsNullOrWhiteSpace(raw))
            {
                raw = Environment.GetEnvironmentVariable(BatchOpsCmdlet.StoreVariable);
            }

            if (string.IsNullOrWhiteSpace(raw))
            {
                raw = JobStoreFactory.DefaultFileName;
            }

            // A nested pipeline in the current runspace: the only way here to the PowerShell location, which is not
            // the process's current directory.
            using PowerShell shell = PowerShell.Create(RunspaceMode.CurrentRunspace);
            shell.AddScript("param($p) $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($p)").AddArgument(raw);
            return shell.Invoke().FirstOrDefault()?.BaseObject as string;
        }
    }

    /// <summary>Tab on -Status: Pending, Running, Succeeded, Failed.</summary>
    public sealed class StatusCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string typed = (wordToComplete ?? "").Trim('\'', '"');
            return Enum.GetNames(typeof(ItemStatus))
                .Where(n => n.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
                .Select(n => new CompletionResult(n, n, CompletionResultType.ParameterValue, "Items that are " + n))
                .ToList();
        }
    }
}
