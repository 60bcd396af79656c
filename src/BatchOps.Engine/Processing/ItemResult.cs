namespace BatchOps.Engine.Processing
{
    /// <summary>How one attempt ended.</summary>
    public sealed class ItemResult
    {
        private ItemResult(bool succeeded, string? output, string? error, string? errorType)
        {
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

        public static ItemResult Success(string? output = null) => new ItemResult(true, output, null, null);

        public static ItemResult Failure(string error, string? errorType = null, string? output = null) => new ItemResult(false, output, error, errorType);
    }
}
