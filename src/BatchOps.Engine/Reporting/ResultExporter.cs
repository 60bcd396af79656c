using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using BatchOps.Engine.Backup;
using BatchOps.Engine.Storage;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Reporting
{
    /// <summary>What Export-BatchResult is asked to write.</summary>
    public sealed class ResultExportRequest
    {
        /// <summary>The file (full path), or with <see cref="PerBatch"/> the template of one file per batch.</summary>
        public string Path { get; init; } = "";

        /// <summary>Null: the format the file's extension names.</summary>
        public ResultFormat? Format { get; init; }

        public ItemStatus? Status { get; init; }

        public long? Run { get; init; }

        public long? Batch { get; init; }

        /// <summary>One file per batch of a run that finished items, named by the <see cref="ResultPathTemplate"/> in Path.</summary>
        public bool PerBatch { get; init; }

        /// <summary>Refuse (before writing anything) when a file to write exists already.</summary>
        public bool NoClobber { get; init; }

        /// <summary>Replace read-only files, and create a missing folder for a single file.</summary>
        public bool Force { get; init; }

        /// <summary>Files the same command wrote for other jobs: never written over (another job's results would be lost).</summary>
        public IReadOnlyCollection<string>? WrittenBefore { get; init; }
    }

    /// <summary>One file an export writes: where, and which items (one batch, or everything the request selects).</summary>
    public sealed class ResultFilePlan
    {
        public string Path { get; init; } = "";

        public ResultFormat Format { get; init; }

        public ItemQuery Query { get; init; } = new ItemQuery();

        public long? Run { get; init; }

        public long? Batch { get; init; }
    }

    /// <summary>
    /// Writes a job's results to files, streaming page by page from the store (memory stays flat however many items):
    /// one file, or one per batch. Each file is written to a temporary name and renamed into place, so a reader never
    /// sees half a file. CSV columns are the union of every selected result's fields: a first pass reads the results
    /// to collect the column names (only the names are kept), a second writes the rows.
    /// </summary>
    public sealed class ResultExporter
    {
        private readonly IJobStore _store;
        private readonly BatchJob _job;

        public ResultExporter(IJobStore store, BatchJob job)
        {
            _store = store;
            _job = job;
        }

        /// <summary>The files the request writes, checked (format, template, collisions, -NoClobber, folder) before any is written.</summary>
        public IReadOnlyList<ResultFilePlan> Plan(ResultExportRequest request)
        {
            var plans = new List<ResultFilePlan>();
            if (!request.PerBatch)
            {
                string file = request.Path.Replace("{Job}", _job.Name); // jobs piped in write a file each
                ResultFormat format = ResultFormats.For(file, request.Format);
                string? folder = System.IO.Path.GetDirectoryName(file);
                if (!request.Force && !string.IsNullOrEmpty(folder) && !Directory.Exists(folder))
                {
                    throw new BatchOpsException(ErrorIds.ResultFolderNotFound, BatchOpsErrorCategory.ObjectNotFound, $"The folder '{folder}' of the results file does not exist; nothing was written.", file);
                }

                plans.Add(new ResultFilePlan { Path = file, Format = format, Query = Query(request, request.Run, request.Batch) });
            }
            else
            {
                ResultPathTemplate template = ResultPathTemplate.Parse(request.Path);
                ResultFormats.For(template.For(_job.Name, 1, 1), request.Format); // a template without a known extension fails now
                var taken = new Dictionary<string, FinishedBatch>(StringComparer.Ordinal);
                foreach (FinishedBatch batch in _store.GetFinishedBatches(_job, request.Run, request.Batch, request.Status))
                {
                    string path = template.For(_job.Name, batch.Run, batch.Batch);
                    if (taken.TryGetValue(path, out FinishedBatch other))
                    {
                        throw BatchOpsException.InvalidArgument(
                            ErrorIds.ResultBatchesCollide,
                            $"Batch {other.Batch} of run {other.Run} and batch {batch.Batch} of run {batch.Run} would both be written to '{path}'; nothing was written.",
                            request.Path);
                    }

                    taken.Add(path, batch);
                    plans.Add(new ResultFilePlan { Path = path, Format = ResultFormats.For(path, request.Format), Query = Query(request, batch.Run, batch.Batch), Run = batch.Run, Batch = batch.Batch });
                }
            }

            foreach (ResultFilePlan plan in plans)
            {
                if (request.WrittenBefore?.Contains(plan.Path) == true)
                {
                    throw new BatchOpsException(
                        ErrorIds.ResultPathReused,
                        BatchOpsErrorCategory.ResourceExists,
                        $"'{plan.Path}' already holds results this command wrote for another job; nothing of job '{_job.Name}' was written.",
                        plan.Path);
                }

                if (request.NoClobber && File.Exists(plan.Path))
                {
                    throw new BatchOpsException(ErrorIds.ResultFileExists, BatchOpsErrorCategory.ResourceUnavailable, $"The results file '{plan.Path}' exists and was not to be replaced; nothing was written.", plan.Path);
                }

                if (!request.Force && File.Exists(plan.Path) && (File.GetAttributes(plan.Path) & FileAttributes.ReadOnly) != 0)
                {
                    throw new BatchOpsException(ErrorIds.ResultWriteFailed, BatchOpsErrorCategory.PermissionDenied, $"The results file '{plan.Path}' is read-only; nothing was written.", plan.Path);
                }
            }

            return plans;
        }

        /// <summary>Writes one planned file; returns the rows written. The file appears whole or not at all.</summary>
        public long Write(ResultFilePlan plan, bool force = false)
        {
            try
            {
                string? folder = System.IO.Path.GetDirectoryName(plan.Path);
                if (!string.IsNullOrEmpty(folder))
                {
                    Directory.CreateDirectory(folder);
                }

                if (force && File.Exists(plan.Path))
                {
                    File.SetAttributes(plan.Path, File.GetAttributes(plan.Path) & ~FileAttributes.ReadOnly);
                }

                IReadOnlyList<string>? columns = plan.Format == ResultFormat.Csv ? Columns(plan.Query) : null;
                long rows = 0;
                AtomicFile.Write(plan.Path, stream =>
                {
                    using var writer = new ResultWriter(stream, plan.Format, columns);
                    foreach (BatchItem item in ItemPages.Read(_store, _job, plan.Query))
                    {
                        writer.Write(ResultRow.Of(item));
                    }

                    writer.Complete();
                    rows = writer.Rows;
                });
                return rows;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new BatchOpsException(ErrorIds.ResultWriteFailed, BatchOpsErrorCategory.WriteError, $"The results file '{plan.Path}' could not be written: {e.Message}", plan.Path, e);
            }
        }

        /// <summary>The CSV header: the fixed columns, then every result column of the selected items in order of first appearance.</summary>
        public IReadOnlyList<string> Columns(ItemQuery query)
        {
            var columns = new List<string>(ResultRow.FixedColumns);
            var seen = new HashSet<string>(columns, StringComparer.OrdinalIgnoreCase);
            foreach (BatchItem item in ItemPages.Read(_store, _job, query))
            {
                foreach (ResultCell cell in ResultRow.ResultCells(item.Result))
                {
                    if (seen.Add(cell.Name))
                    {
                        columns.Add(cell.Name);
                    }
                }
            }

            return columns;
        }

        private static ItemQuery Query(ResultExportRequest request, long? run, long? batch) =>
            new ItemQuery { Status = request.Status, RunId = run, Batch = batch, IncludePayload = false };
    }
}
