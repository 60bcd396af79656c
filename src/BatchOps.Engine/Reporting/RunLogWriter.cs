using System;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Json;
using BatchOps.Engine.Running;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Reporting
{
    /// <summary>
    /// The log of an unattended run (Start-BatchRun -LogPath): in the log folder, one pair of files per day,
    /// batchops_YYYYMMDD.log with a readable line per batch, failure and summary, and batchops_YYYYMMDD.jsonl with one
    /// JSON object per event for tools. Every line is flushed as it is written, so a killed run still leaves its log;
    /// several runs may append to the same files.
    /// </summary>
    public sealed class RunLogWriter : IDisposable
    {
        private readonly string _folder;
        private readonly string _job;
        private readonly object _gate = new object();
        private string? _day;
        private StreamWriter? _text;
        private StreamWriter? _json;
        private long _runId;

        public RunLogWriter(string folder, string job)
        {
            if (string.IsNullOrWhiteSpace(folder))
            {
                throw BatchOpsException.InvalidArgument(ErrorIds.LogPathInvalid, "The log folder is empty: a run's log needs a folder such as ./logs.", folder);
            }

            try
            {
                Directory.CreateDirectory(folder);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is ArgumentException || e is NotSupportedException)
            {
                throw new BatchOpsException(ErrorIds.LogPathInvalid, BatchOpsErrorCategory.InvalidArgument, $"The log folder '{folder}' cannot be created or used: {e.Message}", folder, e);
            }

            _folder = folder;
            _job = job;
        }

        /// <summary>The readable log file for a day.</summary>
        public static string TextFileName(DateTime day) => "batchops_" + day.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + ".log";

        /// <summary>The JSON-lines log file for a day.</summary>
        public static string JsonFileName(DateTime day) => "batchops_" + day.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + ".jsonl";

        public void Write(RunEvent e)
        {
            switch (e)
            {
                case RunStartedEvent started:
                    _runId = started.RunId;
                    Append(e.Time, $"Run {started.RunId} started: {RunReport.Status(started.Progress)}.", "RunStarted", json =>
                    {
                        WriteProgress(json, started.Progress);
                    });
                    break;
                case RunsRecoveredEvent recovered:
                    Append(e.Time, recovered.Message, "RunsRecovered", json =>
                    {
                        json.WriteNumber("runs", recovered.Runs);
                        json.WriteNumber("itemsReturned", recovered.ItemsReturned);
                    });
                    break;
                case BatchCompletedEvent batch:
                    Append(e.Time, RunReport.BatchLine(batch), "BatchCompleted", json =>
                    {
                        json.WriteNumber("batch", batch.Number);
                        json.WriteNumber("items", batch.Items);
                        json.WriteNumber("succeeded", batch.Succeeded);
                        json.WriteNumber("failed", batch.Failed);
                        json.WriteNumber("released", batch.Released);
                        json.WriteNumber("durationMs", (long)batch.Duration.TotalMilliseconds);
                        WriteProgress(json, batch.Progress);
                    });
                    break;
                case ItemFailedEvent failed:
                    Append(e.Time, RunReport.ItemFailed(failed), "ItemFailed", json =>
                    {
                        json.WriteString("key", failed.Key);
                        json.WriteNumber("attempts", failed.Attempts);
                        json.WriteString("error", failed.Error);
                        json.WriteString("errorType", failed.ErrorType);
                    });
                    break;
                case ItemRetryingEvent retrying:
                    Append(e.Time, null, "ItemRetrying", json =>
                    {
                        json.WriteString("key", retrying.Key);
                        json.WriteNumber("attempt", retrying.Attempt);
                        json.WriteString("error", retrying.Error);
                    });
                    break;
                case RunWarningEvent warning:
                    Append(e.Time, "WARNING: " + warning.Message, "Warning", json => json.WriteString("message", warning.Message));
                    break;
                case RunNoticeEvent notice:
                    Append(e.Time, (notice.IsWarning ? "WARNING: " : "") + notice.Message, notice.Kind.ToString(), json => json.WriteString("message", notice.Message));
                    break;
            }
        }

        public void WriteSummary(BatchRunSummary summary)
        {
            _runId = summary.RunId;
            Append(DateTime.Now, RunReport.Summary(summary) + (summary.Message != null ? " " + summary.Message : ""), "RunFinished", json =>
            {
                json.WriteString("state", summary.State.ToString());
                json.WriteString("stopReason", summary.StopReason.ToString());
                json.WriteNumber("total", summary.Total);
                json.WriteNumber("added", summary.Added);
                json.WriteNumber("skipped", summary.Skipped);
                json.WriteNumber("succeeded", summary.Succeeded);
                json.WriteNumber("failed", summary.Failed);
                json.WriteNumber("remaining", summary.Remaining);
                json.WriteNumber("durationSeconds", Math.Round(summary.Duration.TotalSeconds, 3));
                json.WriteNumber("itemsPerSecond", Math.Round(summary.ItemsPerSecond, 2));
                if (summary.Message != null)
                {
                    json.WriteString("message", summary.Message);
                }
            });
        }

        public void WriteError(string message) =>
            Append(DateTime.Now, "ERROR: " + message, "Error", json => json.WriteString("message", message));

        private static void WriteProgress(Utf8JsonWriter json, ProgressSnapshot p)
        {
            json.WriteNumber("total", p.Total);
            json.WriteNumber("jobSucceeded", p.Succeeded);
            json.WriteNumber("jobFailed", p.Failed);
            json.WriteNumber("remaining", p.Remaining);
            json.WriteNumber("percentComplete", p.PercentComplete);
            json.WriteNumber("itemsPerSecond", Math.Round(p.ItemsPerSecond, 2));
        }

        /// <summary>The error that stopped this log (its disk filled up); then nothing more is written.</summary>
        public BatchOpsException? Failure { get; private set; }

        /// <summary>Called once, on the writing thread, when the log stops for a full disk (to stop the run too).</summary>
        public Action<BatchOpsException>? Failed { get; set; }

        private void Append(DateTime time, string? text, string kind, Action<Utf8JsonWriter> fields)
        {
            BatchOpsException? failed = null;
            lock (_gate)
            {
                if (Failure != null)
                {
                    return;
                }

                try
                {
                    AppendLocked(time, text, kind, fields);
                }
                catch (IOException e) when (DiskSpace.IsFull(e))
                {
                    failed = Failure = DiskSpace.Full(
                        ErrorIds.LogDiskFull,
                        "the run's log folder",
                        _folder,
                        "The log was closed and the run stopped; what it recorded in the store is kept. Run it again once there is space: it resumes.",
                        e);
                    CloseQuietly();
                }
            }

            if (failed != null)
            {
                Failed?.Invoke(failed);
            }
        }

        private void CloseQuietly()
        {
            foreach (StreamWriter? writer in new[] { _text, _json })
            {
                try
                {
                    writer?.Dispose(); // flushing what is buffered fails again on a full disk
                }
                catch (IOException)
                {
                }
            }

            _text = null;
            _json = null;
            _day = null;
        }

        private void AppendLocked(DateTime time, string? text, string kind, Action<Utf8JsonWriter> fields)
        {
            Open(time);
            if (text != null)
            {
                _text!.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0:yyyy-MM-dd HH:mm:ss} [{1} run {2}] {3}", time, _job, _runId, text));
                _text.Flush();
            }

            using (var buffer = new MemoryStream())
            {
                using (var json = new Utf8JsonWriter(buffer))
                {
                    json.WriteStartObject();
                    json.WriteString("time", new DateTimeOffset(time).ToString("o", CultureInfo.InvariantCulture));
                    json.WriteString("job", _job);
                    json.WriteNumber("runId", _runId);
                    json.WriteString("event", kind);
                    fields(json);
                    json.WriteEndObject();
                }

                _json!.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
                _json.Flush();
            }
        }

        private void Open(DateTime time)
        {
            string day = time.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
            if (day == _day)
            {
                return;
            }

            _text?.Dispose();
            _json?.Dispose();
            _text = OpenAppend(Path.Combine(_folder, TextFileName(time)));
            _json = OpenAppend(Path.Combine(_folder, JsonFileName(time)));
            _day = day;
        }

        private static StreamWriter OpenAppend(string path) =>
            new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete), new UTF8Encoding(false));

        public void Dispose()
        {
            lock (_gate)
            {
                CloseQuietly();
            }
        }
    }
}
