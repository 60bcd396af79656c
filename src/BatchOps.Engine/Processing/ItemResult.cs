namespace BatchOps.Engine.Processing
{
    /// <summary>How one attempt ended.</summary>
    public sealed class ItemResult
    {
        private ItemResult(bool succeeded, string? output, string? error, string? errorType, string? detail = null)
        {
            Detail = detail;
            Succeeded = succeeded;
            Output = output;
            Error = error;
            ErrorType = errorType;
        }

        public bool Succeeded { get; }

        /// <summary>Kept as the item's result (capped by RunOptions.MaxResultLength).</summary>
        public string? Output { get; }

        public string? Error { get; }

        /// <summary>A short classification of the error (an exception type, "ExitCode", "Timeout" ...).</summary>
        public string? ErrorType { get; }

        /// <summary>Where the error happened (a script's position and stack), kept in the error log beside the error.</summary>
        public string? Detail { get; }

        /// <summary>The attempt was refused for rate limiting (HTTP 429 and the like): dispatch pauses, the attempt does not count.</summary>
        public bool IsRateLimited { get; private set; }

        /// <summary>The program was interrupted by a signal a stop sends (Ctrl+C, SIGTERM), not failed by the item.</summary>
        public bool IsInterrupted { get; private set; }

        /// <summary>The wait the service asked for (Retry-After), if it said.</summary>
        public System.TimeSpan? RetryAfter { get; private set; }

        public static ItemResult RateLimited(string error, System.TimeSpan? retryAfter = null, string? output = null) =>
            new ItemResult(false, output, error, Processing.RateLimitSignal.ErrorType) { IsRateLimited = true, RetryAfter = retryAfter };

        public static ItemResult Success(string? output = null) => new ItemResult(true, output, null, null);

        public static ItemResult Failure(string error, string? errorType = null, string? output = null, string? detail = null) => new ItemResult(false, output, error, errorType, detail);

        public static ItemResult Interrupted(string error, string? errorType = null, string? output = null) =>
            new ItemResult(false, output, error, errorType) { IsInterrupted = true };
    }
}
