using System;
using System.Security.Cryptography;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// Lease tokens: a random positive number per claim (per part of a claim), so that an outcome written under a lease
    /// another claim took over is refused (its token no longer matches). Drawn from the system's random source, not
    /// <see cref="Random"/>: on .NET Framework that is seeded from the clock's tick, so two stores opened in the same
    /// tick would draw the same tokens. Not thread-safe: used under the store's lock.
    /// </summary>
    internal sealed class LeaseTokens
    {
        private static readonly RandomNumberGenerator Source = RandomNumberGenerator.Create(); // thread-safe
        private readonly byte[] _bytes = new byte[8];

        public long Next()
        {
            Source.GetBytes(_bytes);
            return BitConverter.ToInt64(_bytes, 0) & long.MaxValue;
        }
    }
}
