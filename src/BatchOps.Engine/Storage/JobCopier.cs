using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using BatchOps.Engine.Errors;
using BatchOps.Engine.Platform;
using BatchOps.Engine.Running;

namespace BatchOps.Engine.Storage
{
    /// <summary>What a copy will do, checked before anything is written (Copy-BatchJob asks ShouldProcess with it).</summary>
    public sealed class JobCopyPlan
    {
        public BatchJob Source { get; init; } = new BatchJob();

        public string SourceStore { get; init; } = "";

        /// <summary>The job's name in the destination.</summary>
        public string DestinationJob { get; init; } = "";

        /// <summary>The destination's job of that name, replaced by the copy (only with force), or null.</summary>
        public BatchJob? Replaces { get; init; }

        /// <summary>Live runs processing the source job (only with force): what they finish after the copy is not in it.</summary>
        public IReadOnlyList<RunRecord> LiveRuns { get; init; } = Array.Empty<RunRecord>();

        public bool Force { get; init; }

        /// <summary>The copy in a sentence, for -WhatIf and -Confirm.</summary>
        public string Describe(string destinationStore) =>
            $"job '{Source.Name}' ({Source.Total:N0} items) from '{SourceStore}' to job '{DestinationJob}' in '{destinationStore}'" +
            (Replaces == null ? "" : $", replacing the job there ({Replaces.Total:N0} items)");
    }

    /// <summary>Where a copy stands: items and error log lines written so far.</summary>
    public readonly struct JobCopyProgress
    {
        public JobCopyProgress(long items, long total, long errorLines)
        {
            Items = items;
            Total = total;
            ErrorLines = errorLines;
        }

        public long Items { get; }

        /// <summary>The items the source job had when the copy began.</summary>
        public long Total { get; }

        public long ErrorLines { get; }
    }

    /// <summary>
    /// Copies a job from one store to another (a SQLite file, a PostgreSQL server, either way): its items with their
    /// status, attempts, results, last errors, payloads and times, and its error log lines, so that the job goes on in
    /// the destination where it stood. Works through <see cref="IJobStore"/> only. Items are read and written in
    /// chunks (a million-item job is never held at once). The runs stay behind: copied items and lines name no run,
    /// and an item a run held in the source (Running) is copied as Pending with its attempts.
    /// </summary>
    public sealed class JobCopier
    {
        public int ChunkSize { get; init; } = ItemPages.DefaultPageSize;

        /// <summary>Called after every chunk written.</summary>
        public Action<JobCopyProgress>? OnProgress { get; init; }

        /// <summary>What the copy did besides the items, in a sentence (Copy-BatchJob writes these to -Verbose).</summary>
        public Action<string>? OnNote { get; init; }

        /// <summary>
        /// Checks a copy before anything is written: the source job exists; no live run is processing it, and the
        /// destination (null when its store does not exist yet) has no job of that name, unless <paramref name="force"/>;
        /// a job is never copied onto itself.
        /// </summary>
        public static JobCopyPlan Plan(IJobStore source, string job, IJobStore? destination, string? destinationJob, bool force)
        {
            BatchJob from = source.GetJob(job);
            string name = string.IsNullOrEmpty(destinationJob) ? from.Name : destinationJob!;
            JobNames.Validate(name);
            if (destination != null && string.Equals(source.Location, destination.Location, StringComparison.Ordinal) &&
                string.Equals(from.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                throw new BatchOpsException(
                    ErrorIds.JobCopyToItself,
                    BatchOpsErrorCategory.InvalidArgument,
                    $"The job '{from.Name}' cannot be copied onto itself: the destination is its own store '{source.Location}'. Nothing was copied.",
                    name);
            }

            if (!force)
            {
                JobGuards.RequireNoLiveRun(source, from, "copy");
            }

            BatchJob? existing = destination?.FindJob(name);
            if (existing != null && !force)
            {
                throw Exists(existing, destination!);
            }

            return new JobCopyPlan
            {
                Source = from,
                SourceStore = source.Location,
                DestinationJob = name,
                Replaces = existing,
                LiveRuns = force ? RunRecovery.LiveRuns(source, from.Id, RunHost.Current) : Array.Empty<RunRecord>(),
                Force = force,
            };
        }

        /// <summary>
        /// Copies as planned into <paramref name="destination"/> (opened for writing) and returns the destination's job.
        /// A destination job of the name is replaced only with force, also if it appeared since the plan. If the copy
        /// fails midway, the partial job is removed from the destination.
        /// </summary>
        public BatchJob Copy(IJobStore source, JobCopyPlan plan, IJobStore destination)
        {
            if (plan.LiveRuns.Count > 0)
            {
                string runs = string.Join(", ", plan.LiveRuns.Select(r => string.Format(CultureInfo.InvariantCulture, "run {0} on {1}", r.Id, r.Host)));
                Note($"Copying job '{plan.Source.Name}' while {runs} processes it: what it finishes after the copy is not in the destination.");
            }

            BatchJob? existing = destination.FindJob(plan.DestinationJob);
            if (existing != null)
            {
                if (!plan.Force)
                {
                    throw Exists(existing, destination);
                }

                destination.RemoveJob(existing);
                Note($"Removed the job '{existing.Name}' ({existing.Total:N0} items) from '{destination.Location}' to replace it.");
            }

            BatchJob target = destination.GetOrCreateJob(plan.DestinationJob);
            try
            {
                (long items, long held) = CopyItems(source, plan.Source, destination, target);
                long lines = CopyErrorLines(source, plan.Source, destination, target, items);
                Note($"Copied {items:N0} item(s) and {lines:N0} error log line(s) of job '{plan.Source.Name}' to job '{target.Name}' in '{destination.Location}'; the run history stays in '{plan.SourceStore}'.");
                if (held > 0)
                {
                    Note($"{held:N0} item(s) that a run held in the source (Running) were copied as Pending with their attempts.");
                }

                return destination.GetJob(target.Name);
            }
            catch
            {
                TryRemove(destination, target);
                throw;
            }
        }

        private (long Items, long Held) CopyItems(IJobStore source, BatchJob from, IJobStore destination, BatchJob target)
        {
            long copied = 0, held = 0;
            var chunk = new List<ItemState>(ChunkSize);
            foreach (BatchItem item in ItemPages.Read(source, from, new ItemQuery { IncludePayload = true }, pageSize: ChunkSize))
            {
                held += item.Status == ItemStatus.Running ? 1 : 0;
                chunk.Add(ItemState.Of(item));
                if (chunk.Count == ChunkSize)
                {
                    copied += Write(destination, target, chunk, from.Total, copied);
                }
            }

            copied += Write(destination, target, chunk, from.Total, copied);
            return (copied, held);
        }

        private long Write(IJobStore destination, BatchJob target, List<ItemState> chunk, long total, long before)
        {
            if (chunk.Count == 0)
            {
                return 0;
            }

            long added = destination.ImportItems(target, chunk, Array.Empty<ErrorEntry>());
            chunk.Clear();
            OnProgress?.Invoke(new JobCopyProgress(before + added, Math.Max(total, before + added), 0));
            return added;
        }

        // The error log is read newest first, as the store gives it, and written oldest first, as it was written.
        private long CopyErrorLines(IJobStore source, BatchJob from, IJobStore destination, BatchJob target, long items)
        {
            IReadOnlyList<ErrorEntry> log = source.GetErrors(from, int.MaxValue);
            long written = 0;
            for (int end = log.Count; end > 0; end -= ChunkSize)
            {
                int start = Math.Max(0, end - ChunkSize);
                var lines = new List<ErrorEntry>(end - start);
                for (int i = end - 1; i >= start; i--)
                {
                    lines.Add(log[i]);
                }

                destination.ImportItems(target, Array.Empty<ItemState>(), lines);
                written += lines.Count;
                OnProgress?.Invoke(new JobCopyProgress(items, items, written));
            }

            return written;
        }

        private void Note(string message) => OnNote?.Invoke(message);

        private static void TryRemove(IJobStore destination, BatchJob partial)
        {
            try
            {
                destination.RemoveJob(partial);
            }
            catch (Exception)
            {
                // the store failed the copy already (its error is the one to report); the partial job stays, and a
                // copy with force replaces it
            }
        }

        private static BatchOpsException Exists(BatchJob existing, IJobStore destination) => new BatchOpsException(
            ErrorIds.JobExists,
            BatchOpsErrorCategory.ResourceExists,
            $"The store '{destination.Location}' already has a job '{existing.Name}' ({existing.Total:N0} items). Nothing was copied.",
            existing.Name);
    }
}
