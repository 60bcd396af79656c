namespace BatchOps
{
    /// <summary>A failed attempt, from the store's error log.</summary>
    public sealed class ErrorEntry
    {
        /// <summary>The error type of a rate-limit pause (the error log notes it; health counts it apart).</summary>
        public const string RateLimited = "RateLimited";

        /// <summary>The error type of an item given up after its runs died on every attempt.</summary>
        public const string Abandoned = "Abandoned";

        public long RunId { get; init; }

        public string Key { get; init; } = "";

        public int Attempt { get; init; }

        public System.DateTime Time { get; init; }

        public string? ErrorType { get; init; }

        public string? Message { get; init; }

        /// <summary>Where the error happened (a script's position and stack), when the processor said.</summary>
        public string? Detail { get; init; }
    }
}
