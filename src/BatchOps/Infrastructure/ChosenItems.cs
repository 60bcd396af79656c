using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using BatchOps.Engine;
using BatchOps.Engine.Storage;
using BatchOps.Engine.Errors;

namespace BatchOps.Infrastructure
{
    /// <summary>What <see cref="ChosenItems"/> needs from the command that runs them (the pipeline thread's own calls).</summary>
    internal interface IChosenItemsHost
    {
        bool ShouldProcess(string target, string action);

        void WriteError(ErrorRecord record);

        void WriteVerbose(string text);
    }

    /// <summary>A cmdlet as the host: its own ShouldProcess, WriteError and WriteVerbose (pipeline thread only).</summary>
    internal sealed class CmdletChosenItemsHost : IChosenItemsHost
    {
        private readonly Cmdlet _cmdlet;

        public CmdletChosenItemsHost(Cmdlet cmdlet) => _cmdlet = cmdlet;

        public bool ShouldProcess(string target, string action) => _cmdlet.ShouldProcess(target, action);

        public void WriteError(ErrorRecord record) => _cmdlet.WriteError(record);

        public void WriteVerbose(string text) => _cmdlet.WriteVerbose(text);
    }

    /// <summary>
    /// Items piped into Start-BatchRun as BatchItem objects: each is run again whatever its status. A succeeded or
    /// failed item is first put back to pending, as Reset-BatchItem does (same confirmation); an item a live run
    /// holds is left to it.
    /// </summary>
    internal static class ChosenItems
    {
        private const int QueryChunk = 200;

        /// <summary>The keys to run, in the order they came; empty when none may run (-WhatIf, declined, missing).</summary>
        public static List<string> Prepare(IJobStore store, BatchJob job, IReadOnlyList<string> keys, IChosenItemsHost host)
        {
            var status = new Dictionary<string, ItemStatus>(System.StringComparer.Ordinal);
            for (int i = 0; i < keys.Count; i += QueryChunk)
            {
                // Keys are exact: escaped, so that a key with [ or * matches only itself.
                var patterns = keys.Skip(i).Take(QueryChunk).Select(WildcardPattern.Escape).ToList();
                foreach (BatchItem item in store.GetItems(job, new ItemQuery { KeyPatterns = patterns, IncludePayload = false }))
                {
                    status[item.Key] = item.Status;
                }
            }

            var run = new List<string>();
            var reset = new List<string>();
            foreach (string key in keys)
            {
                string target = $"item '{key}' of job '{job.Name}'";
                if (!status.TryGetValue(key, out ItemStatus current))
                {
                    host.WriteError(NotFound(job, key));
                }
                else if (current == ItemStatus.Running)
                {
                    host.WriteError(InFlight(job, key));
                }
                else if (current == ItemStatus.Pending)
                {
                    if (host.ShouldProcess(target, "Run"))
                    {
                        run.Add(key);
                    }
                }
                else if (host.ShouldProcess(target, $"Reset to Pending ({current}) and run"))
                {
                    reset.Add(key);
                    run.Add(key);
                }
            }

            if (reset.Count > 0)
            {
                ResetResult result = store.ResetItems(job, reset);
                foreach (string busy in result.InFlight)
                {
                    host.WriteError(InFlight(job, busy));
                    run.Remove(busy);
                }

                foreach (string gone in result.NotFound)
                {
                    host.WriteError(NotFound(job, gone));
                    run.Remove(gone);
                }

                host.WriteVerbose($"Reset {result.Reset.Count:N0} item(s) of job '{job.Name}' to Pending to run them again.");
            }

            return run;
        }

        private static ErrorRecord NotFound(BatchJob job, string key) =>
            ErrorRecords.From(ErrorIds.ItemNotFound, ErrorCategory.ObjectNotFound, $"Job '{job.Name}' has no item with the key '{key}' (any more). List its items with Get-BatchItem -Job '{job.Name}'.", key);

        private static ErrorRecord InFlight(BatchJob job, string key) =>
            ErrorRecords.From(ErrorIds.ItemInFlight, ErrorCategory.ResourceBusy, $"Item '{key}' of job '{job.Name}' is being processed by a run right now, so it is not run again here. Stop that run first; a crashed run's items return to Pending by themselves.", key);
    }
}
