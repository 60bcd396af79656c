using System;
using System.Diagnostics;
using System.Threading;

namespace BatchOps.Engine.Diagnostics
{
    /// <summary>
    /// Where a run's time goes, for the engine benchmark: time spent claiming, executing items, committing outcomes
    /// and publishing events, summed over threads. Off unless the benchmark turns it on; when off, each measuring point
    /// costs one read of a static field.
    /// </summary>
    internal static class RunProfile
    {
        /// <summary>The phases measured.</summary>
        public enum Phase
        {
            /// <summary>The dispatcher's store claims (one transaction each).</summary>
            Claim,

            /// <summary>Workers running items through the executor (summed over workers).</summary>
            Execute,

            /// <summary>The recorder's store commits (one transaction each).</summary>
            Commit,

            /// <summary>The recorder's own work besides the commit: gathering outcomes, counting, publishing events.</summary>
            Record,

            /// <summary>A claim inside the store's lock (its transaction, without waiting for the lock).</summary>
            StoreClaim,

            /// <summary>A commit inside the store's lock.</summary>
            StoreCommit,
        }

        private const int Phases = 6;
        private static readonly long[] Ticks = new long[Phases];
        private static readonly long[] Calls = new long[Phases];
        private static readonly long[] Units = new long[Phases];

        /// <summary>True while measuring.</summary>
        public static bool Enabled { get; set; }

        /// <summary>A start timestamp when measuring, else 0.</summary>
        public static long Start() => Enabled ? Stopwatch.GetTimestamp() : 0;

        /// <summary>Adds the time since <paramref name="started"/> (from <see cref="Start"/>) to a phase, with a count of items it covered.</summary>
        public static void Stop(Phase phase, long started, long units = 0)
        {
            if (started == 0)
            {
                return;
            }

            Interlocked.Add(ref Ticks[(int)phase], Stopwatch.GetTimestamp() - started);
            Interlocked.Increment(ref Calls[(int)phase]);
            Interlocked.Add(ref Units[(int)phase], units);
        }

        /// <summary>Runs <paramref name="body"/>, adding its time to a phase when measuring.</summary>
        public static T Time<T>(Phase phase, Func<T> body)
        {
            long started = Start();
            try
            {
                return body();
            }
            finally
            {
                Stop(phase, started);
            }
        }

        public static void Reset()
        {
            for (int i = 0; i < Phases; i++)
            {
                Interlocked.Exchange(ref Ticks[i], 0);
                Interlocked.Exchange(ref Calls[i], 0);
                Interlocked.Exchange(ref Units[i], 0);
            }
        }

        /// <summary>Total milliseconds spent in a phase, how often it ran, and the items it covered.</summary>
        public static (double Milliseconds, long Calls, long Units) Read(Phase phase) =>
            (Interlocked.Read(ref Ticks[(int)phase]) * 1000.0 / Stopwatch.Frequency, Interlocked.Read(ref Calls[(int)phase]), Interlocked.Read(ref Units[(int)phase]));
    }
}
