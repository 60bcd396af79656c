using System;
using System.Management.Automation;
using BatchOps.Engine;

namespace BatchOps.Infrastructure
{
    /// <summary>Turns engine errors into ErrorRecords with the engine's stable ErrorId, category and target.</summary>
    internal static class ErrorRecords
    {
        public static ErrorRecord From(BatchOpsException e) =>
            WithAdvice(new ErrorRecord(e, e.ErrorId, ToCategory(e.Category), e.Target), e.ErrorId, e.Message);

        public static ErrorRecord From(string errorId, ErrorCategory category, string message, object? target) =>
            WithAdvice(new ErrorRecord(new BatchOpsException(errorId, Parse(category), message, target), errorId, category, target), errorId, message);

        private static ErrorRecord WithAdvice(ErrorRecord record, string errorId, string message)
        {
            if (ErrorAdvice.For(errorId) is string advice)
            {
                record.ErrorDetails = new ErrorDetails(message) { RecommendedAction = advice };
            }

            return record;
        }

        private static ErrorCategory ToCategory(BatchOpsErrorCategory category) =>
            Enum.TryParse(category.ToString(), out ErrorCategory parsed) ? parsed : ErrorCategory.NotSpecified;

        private static BatchOpsErrorCategory Parse(ErrorCategory category) =>
            Enum.TryParse(category.ToString(), out BatchOpsErrorCategory parsed) ? parsed : BatchOpsErrorCategory.InvalidOperation;
    }
}
