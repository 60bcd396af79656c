using System;
using System.Threading.Channels;
using System.Threading.Tasks;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Reporting
{
    /// <summary>
    /// Start-BatchRun -ResultPath: writes each batch's results file once the batch is committed, as the evaluator's
    /// per-batch files were. The runner's recorder only queues the batch number; the files are written here, on a task
    /// of their own, each to a temporary name and renamed into place. A file that cannot be written is a warning: the
    /// run goes on, and Export-BatchResult -PerBatch -Run writes it again later.
    /// </summary>
    internal sealed class BatchResultFiles
    {
        private readonly Channel<long> _batches = Channel.CreateUnbounded<long>(new UnboundedChannelOptions { SingleReader = true });
        private readonly IJobStore _store;
        private readonly BatchJob _job;
        private readonly long _runId;
        private readonly ResultPathTemplate _template;
        private readonly Action<RunEvent> _publish;
        private readonly Task _writer;

        public BatchResultFiles(IJobStore store, BatchJob job, long runId, string template, Action<RunEvent> publish)
        {
            _store = store;
            _job = job;
            _runId = runId;
            _template = ResultPathTemplate.Parse(template);
            _publish = publish;
            _writer = Task.Run(WriteAsync);
        }

        /// <summary>The batch's outcomes are committed: its file is written next. Safe from the recorder's thread.</summary>
        public void Committed(long batch) => _batches.Writer.TryWrite(batch);

        /// <summary>Waits until every committed batch has its file (at the end of the run).</summary>
        public Task CompleteAsync()
        {
            _batches.Writer.TryComplete();
            return _writer;
        }

        private async Task WriteAsync()
        {
            var exporter = new ResultExporter(_store, _job);
            bool replacedWarned = false;
            while (await _batches.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (_batches.Reader.TryRead(out long batch))
                {
                    string path = _template.For(_job.Name, _runId, batch);
                    try
                    {
                        // Without {Run} in the template, a later run's batch 1 lands on an earlier run's file: say so once.
                        if (!replacedWarned && !_template.HasRun && System.IO.File.Exists(path))
                        {
                            replacedWarned = true;
                            _publish(new RunWarningEvent { Message = $"'{path}' existed before this run (an earlier run's batch {batch}) and is replaced; with {{Run}} in the template each run keeps its own files." });
                        }

                        var plan = new ResultFilePlan
                        {
                            Path = path,
                            Format = ResultFormats.For(path, null),
                            Query = new ItemQuery { RunId = _runId, Batch = batch, IncludePayload = false },
                            Run = _runId,
                            Batch = batch,
                        };
                        long rows = exporter.Write(plan);
                        _publish(new RunNoticeEvent { Kind = RunNoticeKind.ResultFileWritten, Message = $"Wrote the {rows} result(s) of batch {batch} to '{path}'." });
                    }
                    catch (BatchOpsException e)
                    {
                        _publish(new RunWarningEvent
                        {
                            Message = e.Message + " The run goes on; the batch's results are in the store and can be written later.",
                            Unwritten = new UnwrittenResults { Job = _job.Name, RunId = _runId, Batch = batch },
                        });
                    }
                }
            }
        }
    }
}
