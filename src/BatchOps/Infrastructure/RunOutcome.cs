using System;
using System.Management.Automation;
using BatchOps.Engine.Reporting;
using BatchOps.Engine.Running;

namespace BatchOps.Infrastructure
{
    /// <summary>How one run ended, as the module reports it: the summary, the one error, the warning, the exit code.</summary>
    internal sealed class RunOutcome
    {
        /// <summary>The run's summary; null when the run could not start or failed without one.</summary>
        public BatchRunSummary? Summary { get; set; }

        /// <summary>The one error to write (after the summary, if there is one), or null.</summary>
        public ErrorRecord? Error { get; set; }

        /// <summary>A warning for a run that failed nothing itself while the job holds items failed earlier.</summary>
        public string? Warning { get; set; }

        /// <summary>The pipeline was stopped (Ctrl+C, Select-Object -First): nothing more may be written to it.</summary>
        public bool PipelineStopped { get; set; }

        /// <summary>128 + the signal that stopped the run, when it should end the process.</summary>
        public int? ExitCode { get; set; }

        /// <summary>
        /// Writes the outcome to the cmdlet's pipeline (Start-BatchRun without -AsJob): the summary, then its error
        /// (non-terminating) or warning; ends the process first when a signal asked for it.
        /// </summary>
        /// <param name="log">Closed before the process ends.</param>
        public void WriteTo(Cmdlet cmdlet, IDisposable log)
        {
            if (ExitCode != null)
            {
                // The console host also turns SIGINT into a pipeline stop: then nothing more may be written.
                if (!PipelineStopped && Summary != null)
                {
                    cmdlet.WriteObject(Summary);
                }

                ProcessSignals.ExitIfAsked(ExitCode, log);
            }

            if (PipelineStopped)
            {
                return; // Ctrl+C: the run released its items and wrote its checkpoint; nothing more may be written
            }

            if (Summary != null)
            {
                cmdlet.WriteVerbose(RunReport.Summary(Summary));
                cmdlet.WriteObject(Summary);
            }

            if (Error != null)
            {
                // After the summary, non-terminating: $? is false, and -ErrorAction Stop makes it throw, so that
                // `pwsh -File job.ps1` run by a scheduler ends with a non-zero exit code.
                cmdlet.WriteError(Error);
            }
            else if (Warning != null)
            {
                cmdlet.WriteWarning(Warning);
            }
        }
    }
}
