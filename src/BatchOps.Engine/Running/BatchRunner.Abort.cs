using System;
using System.Threading;

namespace BatchOps.Engine.Running
{
    public sealed partial class BatchRunner
    {
        private Exception? _abortedFor;

        /// <summary>
        /// Ends the run as failed, for a reason outside the engine (its log could not be written: the disk is full).
        /// The run stops as on <see cref="RequestStop"/> (nothing more claimed, items in flight finished or released,
        /// the final checkpoint written), then reports <paramref name="reason"/> as its <see cref="Failure"/>.
        /// Safe from any thread; the first reason wins.
        /// </summary>
        public void Abort(Exception reason)
        {
            Interlocked.CompareExchange(ref _abortedFor, reason, null);
            RequestStop();
        }
    }
}
