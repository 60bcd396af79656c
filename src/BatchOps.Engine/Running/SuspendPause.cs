using System;
using System.Threading.Tasks;
using BatchOps.Engine.Storage;

namespace BatchOps.Engine.Running
{
    /// <summary>
    /// Suspend-BatchRun: the run finishes what is in flight (items not started went back), sleeps deeply
    /// (Suspended) and looks every WakeCheckInterval for Resume-BatchRun or a stop.
    /// </summary>
    internal sealed class SuspendPause
    {
        private readonly RunContext _run;
        private readonly IdlePause _idle;

        public SuspendPause(RunContext run, IdlePause idle)
        {
            _run = run;
            _idle = idle;
        }

        public async Task WaitAsync()
        {
            RunControl control = _run.Control;
            await _run.QuietAsync().ConfigureAwait(false);
            _idle.Sleep(RunActivity.Suspended, "suspended on request; a resume request wakes it");
            while (!control.DispatchStop.IsCancellationRequested)
            {
                RunSignals signals = _run.Store.ReadSignals(_run.RunId);
                if (signals.StopRequested)
                {
                    control.RequestStop(StopReason.StopRequested);
                    break;
                }

                if (!signals.SuspendRequested)
                {
                    break;
                }

                try
                {
                    await _run.WaitForChangeAsync().ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }

            control.Resumed();
            _idle.Reset();
            _run.SetActivity(RunActivity.Processing, null);
            _run.Publish(new RunNoticeEvent { Kind = RunNoticeKind.Resumed, Message = "Resumed on request." });
        }
    }
}
