using System;
using BatchOps.Engine;
using BatchOps.Engine.Errors;

namespace BatchOps.Infrastructure
{
    /// <summary>
    /// A cmdlet that refuses with a non-terminating error and then does nothing more, instead of ThrowTerminatingError.
    /// -ErrorAction Stop turns only a non-terminating error into one that ends a script, so a scheduled
    /// `pwsh -File job.ps1` with -ErrorAction Stop exits 1 after a refusal, where a terminating error let the script
    /// carry on and exit 0. $? is false either way.
    /// </summary>
    public abstract class RefusingCmdlet : BatchOpsCmdlet
    {
        private bool _refused;

        protected sealed override void BeginProcessing() => UnlessRefused(Begin);

        protected sealed override void ProcessRecord() => UnlessRefused(Process);

        protected sealed override void EndProcessing() => UnlessRefused(End);

        protected abstract void Begin();

        protected abstract void Process();

        protected abstract void End();

        /// <summary>Called with the refusal before it is written (a log, say).</summary>
        protected virtual void OnRefused(BatchOpsException e)
        {
        }

        /// <summary>Writes the error and ends the command: the rest of its input is ignored.</summary>
        protected sealed override void ThrowTerminating(BatchOpsException e)
        {
            OnRefused(e);
            _refused = true;
            WriteError(ToErrorRecord(e));
            throw new RefusedException();
        }

        private void UnlessRefused(Action step)
        {
            if (_refused)
            {
                return;
            }

            try
            {
                step();
            }
            catch (RefusedException)
            {
                // Written already.
            }
        }

        /// <summary>Unwinds a refused command to its entry point.</summary>
        private sealed class RefusedException : Exception
        {
        }
    }
}
