using System;
using System.Threading;
using System.Threading.Tasks;

namespace BatchOps.Engine.Running
{
    /// <summary>
    /// One gate all workers pass before each attempt. A rate limit reported by any worker closes it for the wait the
    /// service asked for (Retry-After), or else for a wait that doubles with each rate limit in a row; a success
    /// resets the doubling. Closing never shortens a pause already in force.
    /// </summary>
    internal sealed class RateLimitGate
    {
        private readonly TimeProvider _time;
        private readonly TimeSpan _firstWait;
        private readonly TimeSpan _maxWait;
        private readonly object _lock = new object();
        private long _openAtTicks = DateTimeOffset.MinValue.UtcTicks; // read on every attempt without the lock
        private int _inARow;

        public RateLimitGate(TimeProvider time, TimeSpan firstWait, TimeSpan maxWait)
        {
            _time = time;
            _firstWait = firstWait;
            _maxWait = maxWait < firstWait ? firstWait : maxWait;
        }

        /// <summary>When the gate opens again (in the past when it is open).</summary>
        public DateTimeOffset OpenAt => new DateTimeOffset(Volatile.Read(ref _openAtTicks), TimeSpan.Zero);

        public bool IsClosed => OpenAt > _time.GetUtcNow();

        /// <summary>Closes the gate; returns the wait from now until it opens.</summary>
        public TimeSpan Close(TimeSpan? retryAfter)
        {
            lock (_lock)
            {
                _inARow++;
                TimeSpan wait = retryAfter ?? Backoff(_inARow);
                DateTimeOffset now = _time.GetUtcNow();
                long openAt = (now + wait).UtcTicks;
                if (openAt > _openAtTicks)
                {
                    Volatile.Write(ref _openAtTicks, openAt);
                }

                return OpenAt - now;
            }
        }

        /// <summary>An attempt got through: the next rate limit starts the doubling again.</summary>
        public void NoteSuccess()
        {
            if (Volatile.Read(ref _inARow) != 0)
            {
                lock (_lock)
                {
                    _inARow = 0;
                }
            }
        }

        /// <summary>Returns at once when open; otherwise when the (possibly extended) pause is over.</summary>
        public async Task WaitAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                TimeSpan left = OpenAt - _time.GetUtcNow();
                if (left <= TimeSpan.Zero)
                {
                    return;
                }

                await _time.Delay(left, cancellationToken).ConfigureAwait(false);
            }
        }

        private TimeSpan Backoff(int inARow)
        {
            double factor = Math.Pow(2, Math.Min(inARow - 1, 30));
            double ticks = Math.Min(_firstWait.Ticks * factor, _maxWait.Ticks);
            return TimeSpan.FromTicks((long)ticks);
        }
    }
}
