using System;
using System.Collections.Generic;
using BatchOps.Engine;
using BatchOps.Engine.Errors;

namespace BatchOps.Infrastructure
{
    /// <summary>
    /// Which job Start-BatchRun runs, and what: -Job, or the job a piped BatchOps object names; new items to add,
    /// or exactly the piped BatchItem objects. The two kinds of input do not mix, and every object must name one job.
    /// </summary>
    internal sealed class RunSelection
    {
        private readonly List<string> _chosen = new List<string>();
        private readonly HashSet<string> _seen = new HashSet<string>(StringComparer.Ordinal);

        public RunSelection(string? job)
        {
            Job = string.IsNullOrEmpty(job) ? null : job;
        }

        /// <summary>-Job checked (a valid name), or, without it, the piped objects to name the job: refused if none come.</summary>
        public static RunSelection For(string job, bool hasInput)
        {
            var selection = new RunSelection(job);
            if (selection.Job != null)
            {
                JobNames.Validate(job);
            }
            else if (!hasInput)
            {
                throw Missing();
            }

            return selection;
        }

        public string? Job { get; private set; }

        /// <summary>The store the piped objects came from (a full path), if they said.</summary>
        public string? Store { get; private set; }

        /// <summary>Keys of the piped BatchItem objects, in order, each once.</summary>
        public IReadOnlyList<string> Chosen => _chosen;

        public bool HasNewItems { get; private set; }

        /// <summary>Takes one piped object. True when it is data to add as an item; throws when it cannot be used.</summary>
        public bool Take(RunInput input)
        {
            switch (input.Kind)
            {
                case RunInputKind.NewItem:
                    if (_chosen.Count > 0)
                    {
                        throw Mixed();
                    }

                    if (Job == null)
                    {
                        throw Missing();
                    }

                    HasNewItems = true;
                    return true;
                case RunInputKind.JobReference:
                    Select(input);
                    return false;
                case RunInputKind.ChosenItem:
                    if (HasNewItems)
                    {
                        throw Mixed();
                    }

                    Select(input);
                    if (_seen.Add(input.Key!))
                    {
                        _chosen.Add(input.Key!);
                    }

                    return false;
                default:
                    throw new BatchOpsException(
                        ErrorIds.InputMixed,
                        BatchOpsErrorCategory.InvalidArgument,
                        $"A {input.TypeName} object names no job and is not an item to run. Pipe data to add as items, a BatchJob (Get-BatchJob) to run a job, or BatchItem objects (Get-BatchItem) to run those items.",
                        input.TypeName);
            }
        }

        public static BatchOpsException Missing() => new BatchOpsException(
            ErrorIds.JobMissing,
            BatchOpsErrorCategory.InvalidArgument,
            "Say which job to run: pass -Job <name>, or pipe the job in (Get-BatchJob -Name <name> | Start-BatchRun ...).",
            null);

        private void Select(RunInput input)
        {
            if (Job == null)
            {
                Job = input.Job;
                Store = input.Store;
                return;
            }

            if (!string.Equals(Job, input.Job, StringComparison.Ordinal))
            {
                throw new BatchOpsException(
                    ErrorIds.JobAmbiguous,
                    BatchOpsErrorCategory.InvalidArgument,
                    $"Start-BatchRun runs one job, and the input names two: '{Job}' and '{input.Job}'. Pipe the objects of one job (Get-BatchJob -Name '{Job}'), or run each job with its own Start-BatchRun.",
                    input.Job);
            }

            Store ??= input.Store;
        }

        private static BatchOpsException Mixed() => new BatchOpsException(
            ErrorIds.InputMixed,
            BatchOpsErrorCategory.InvalidArgument,
            "The input mixes BatchItem objects (items to run again) with new data to add as items. Add the new data first (Add-BatchItem), then pipe the BatchItem objects.",
            null);
    }
}
