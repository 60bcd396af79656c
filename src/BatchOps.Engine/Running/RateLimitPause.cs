using System;
using System.Threading;
using System.Threading.Tasks;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Storage;
using static BatchOps.Engine.Running.RunWording;

namespace BatchOps.Engine.Running
{
    /// <summary>
    /// The processor reported rate limiting: every worker waits at the executor's gate (RateLimitPaused), and the
    /// dispatcher claims nothing until the gate opens. A stop or a suspend ends the wait.
    /// </summary>
    internal sealed class RateLimitPause
    {
        private readonly RunContext _run;

        public RateLimitPause(RunContext run)
        {
            _run = run;
        }

        /// <summary>The executor hit a rate limit: the recorder notes it, the run says so and shows it as its activity.</summary>
        public void OnRateLimited(RateLimitHit hit)
        {
            string source = hit.FromService ? "as the service asked (Retry-After)" : "";
            string message = $"Rate limited on '{hit.Unit.Item.Key}': {hit.Error} All workers wait {Seconds(hit.Wait)} s {source}".TrimEnd() + "; the attempt is not counted.";
            _run.Records.Writer.TryWrite(new RecorderMessage(new ErrorNote { Key = hit.Unit.Item.Key, Attempt = hit.Unit.Attempt, ErrorType = RateLimitSignal.ErrorType, Message = hit.Error }));
            _run.Publish(new RunNoticeEvent { Kind = RunNoticeKind.RateLimited, IsWarning = true, Message = message });
            _run.SetActivity(RunActivity.RateLimitPaused, $"{hit.Error} (waiting {Seconds(hit.Wait)} s)");
        }

        /// <summary>
        /// Waits while the gate is closed. Returns false when a stop or a suspend ended the wait (the dispatcher looks
        /// at both first), true to claim on; the run's activity is Processing again then.
        /// </summary>
        public async Task<bool> WaitAsync()
        {
            RateLimitGate gate = _run.Executor.Gate;
            if (gate.IsClosed)
            {
                using var stopOrSuspend = CancellationTokenSource.CreateLinkedTokenSource(_run.Control.DispatchStop, _run.Control.ReleaseWaiting);
                try
                {
                    await gate.WaitAsync(stopOrSuspend.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return false;
                }
            }

            if (_run.Activity == RunActivity.RateLimitPaused)
            {
                _run.SetActivity(RunActivity.Processing, null);
            }

            return true;
        }
    }
}
