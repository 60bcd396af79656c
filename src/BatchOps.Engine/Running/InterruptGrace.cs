using System;
using System.Threading;
using System.Threading.Tasks;
using BatchOps.Engine.Processing;

namespace BatchOps.Engine.Running
{
    /// <summary>
    /// A program killed by the console's Ctrl+C (or a service manager's SIGTERM to the whole group) usually exits a
    /// moment before the run itself hears of the stop. Its attempt waits briefly for that stop, so that the item is
    /// released for the next run instead of failed; if no stop comes, the exit is an ordinary failure.
    /// </summary>
    internal static class InterruptGrace
    {
        public static readonly TimeSpan Wait = TimeSpan.FromSeconds(2);

        /// <summary>Throws OperationCanceledException when the run stops within the grace; returns otherwise.</summary>
        public static async Task AwaitStopAsync(ItemResult result, TimeProvider time, CancellationToken stopToken)
        {
            if (result.Succeeded || !result.IsInterrupted)
            {
                return;
            }

            await time.Delay(Wait, stopToken).ConfigureAwait(false);
        }
    }
}
