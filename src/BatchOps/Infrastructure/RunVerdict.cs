using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Text;
using BatchOps.Engine;
using BatchOps.Engine.Reporting;
using BatchOps.Engine.Running;
using BatchOps.Engine.Storage;
using BatchOps.Engine.Errors;

namespace BatchOps.Infrastructure
{
    /// <summary>
    /// Whether a finished run failed in a way a scheduler must see, as one error written after the summary. Items that
    /// failed for good give a RunItemsFailed error; a run the circuit breaker stopped, RunCircuitBroken; a run that
    /// failed itself, RunFailed. Non-terminating, so $? is false and -ErrorAction Stop (or $ErrorActionPreference =
    /// 'Stop') throws, which makes `pwsh -File job.ps1` exit 1. Start-BatchRun and its -AsJob share this, so both
    /// report a failure the same way.
    /// </summary>
    internal sealed class RunVerdict
    {
        private const int FirstErrorsShown = 3;
        private const int ErrorTextShown = 300;

        private readonly List<ItemFailedEvent> _firstFailures = new List<ItemFailedEvent>();

        /// <summary>Keeps the first items that failed for good, to quote in the error.</summary>
        public void Observe(RunEvent e)
        {
            if (e is ItemFailedEvent failed && _firstFailures.Count < FirstErrorsShown)
            {
                _firstFailures.Add(failed);
            }
        }

        /// <summary>Logs the summary (and the error, if any); returns the error to write after the summary, or null.</summary>
        public ErrorRecord? Finish(BatchRunSummary summary, Exception? failure, RunLogWriter? log)
        {
            log?.WriteSummary(summary);
            BatchOpsException? error = Judge(summary, failure ?? log?.Failure); // a log that filled its disk fails the run
            if (error == null)
            {
                return null;
            }

            log?.WriteError(error.Message);
            return ErrorRecords.From(error, "Start-BatchRun");
        }

        public BatchOpsException? Judge(BatchRunSummary summary, Exception? failure)
        {
            string run = $"Run {summary.RunId} of job '{summary.Job}'";
            if (summary.StopReason == StopReason.JobRemoved)
            {
                return new BatchOpsException(ErrorIds.JobRemoved, BatchOpsErrorCategory.OperationStopped, $"{run} stopped: {summary.Message}", summary);
            }

            if (failure != null)
            {
                var category = failure is BatchOpsException known ? known.Category : BatchOpsErrorCategory.InvalidOperation;
                string id = failure is BatchOpsException own && KeepsOwnId(own.ErrorId) ? own.ErrorId : ErrorIds.RunFailed;
                return new BatchOpsException(
                    id,
                    category,
                    $"{run} failed: {failure.Message} {Counts(summary)} The items it finished are recorded; run the same command again to resume.",
                    summary,
                    failure);
            }

            if (summary.StopReason == StopReason.CircuitBroken)
            {
                return new BatchOpsException(
                    ErrorIds.RunCircuitBroken,
                    BatchOpsErrorCategory.OperationStopped,
                    $"{run} stopped because too many attempts failed: {summary.Message} {Counts(summary)}{FirstErrors()} Fix the cause, then run the same command again to resume.",
                    summary);
            }

            if (summary.Failed > 0)
            {
                return new BatchOpsException(
                    ErrorIds.RunItemsFailed,
                    BatchOpsErrorCategory.InvalidResult,
                    $"{run}: {summary.Failed.ToString("N0", CultureInfo.InvariantCulture)} item(s) failed. {Counts(summary)}{FirstErrors()} See them with Get-BatchItem -Job '{summary.Job}' -Status Failed; try them again with Get-BatchItem -Job '{summary.Job}' -Status Failed | Reset-BatchItem.",
                    summary);
            }

            return null;
        }

        /// <summary>
        /// A run that failed because of the state of its disk or store keeps that error's own ErrorId (a full disk, a
        /// damaged, locked or read-only store), so that a script can tell "wait for space" from "restore the store";
        /// any other failure is RunFailed.
        /// </summary>
        private static bool KeepsOwnId(string errorId) =>
            DiskSpace.IsDiskFullId(errorId) || errorId == ErrorIds.StoreDamaged || errorId == ErrorIds.StoreBusy || errorId == ErrorIds.StoreReadOnly;

        /// <summary>
        /// A warning for a run that failed nothing itself while the job still holds items that failed for good in
        /// earlier runs: they are not tried again until reset, so a scheduled run would otherwise stay silent.
        /// </summary>
        public static string? EarlierFailures(BatchRunSummary summary)
        {
            if (summary.Failed > 0 || summary.StopReason == StopReason.JobRemoved || summary.JobFailed == 0)
            {
                return null;
            }

            return $"Job '{summary.Job}' still has {summary.JobFailed.ToString("N0", CultureInfo.InvariantCulture)} item(s) that failed in earlier runs; runs do not try them again until they are reset: Get-BatchItem -Job '{summary.Job}' -Status Failed | Reset-BatchItem.";
        }

        private static string Counts(BatchRunSummary s) => string.Format(
            CultureInfo.InvariantCulture,
            "This run: {0:N0} succeeded, {1:N0} failed; the job has {2:N0} of {3:N0} item(s) finished and {4:N0} remaining.",
            s.Succeeded,
            s.Failed,
            s.Total - s.Remaining,
            s.Total,
            s.Remaining);

        private string FirstErrors()
        {
            if (_firstFailures.Count == 0)
            {
                return "";
            }

            var text = new StringBuilder(" First errors:");
            foreach (ItemFailedEvent failed in _firstFailures)
            {
                string error = failed.Error.Length > ErrorTextShown ? failed.Error.Substring(0, ErrorTextShown) + "..." : failed.Error;
                text.Append(" '").Append(failed.Key).Append("' (").Append(failed.ErrorType ?? "Error").Append(", attempt ")
                    .Append(failed.Attempts.ToString(CultureInfo.InvariantCulture)).Append("): ").Append(error.Trim().TrimEnd('.')).Append(';');
            }

            text.Length--; // the last ';'
            return text.Append('.').ToString();
        }
    }
}
