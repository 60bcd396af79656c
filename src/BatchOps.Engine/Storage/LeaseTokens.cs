using System;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// Lease tokens: a random positive number per claim, so that an outcome written under a lease another claim took
    /// over is refused (its token no longer matches). Not thread-safe: used under the store's lock.
    /// </summary>
    internal sealed class LeaseTokens
    {
        private readonly Random _random = new Random();

        public long Next()
        {
            var bytes = new byte[8];
            _random.NextBytes(bytes);
            return BitConverter.ToInt64(bytes, 0) & long.MaxValue;
        }
    }
}
