using System;
using System.Management.Automation;
using BatchOps.Engine;
using BatchOps.Engine.Errors;

namespace BatchOps.Infrastructure
{
    /// <summary>
    /// Turns engine errors into ErrorRecords with the engine's stable ErrorId, category and target, and the PowerShell
    /// advice of <see cref="ErrorAdvice"/> as the RecommendedAction. Every cmdlet's error goes through here.
    /// </summary>
    internal static class ErrorRecords
    {
        /// <param name="e">The engine's error.</param>
        /// <param name="command">The command that raised it (MyInvocation.MyCommand.Name), for advice in its own parameters.</param>
        public static ErrorRecord From(BatchOpsException e, string? command = null) =>
            WithAdvice(new ErrorRecord(e, e.ErrorId, ToCategory(e.Category), e.Target), e.ErrorId, e.Message, command);

        public static ErrorRecord From(string errorId, ErrorCategory category, string message, object? target, string? command = null) =>
            WithAdvice(new ErrorRecord(new BatchOpsException(errorId, Parse(category), message, target), errorId, category, target), errorId, message, command);

        private static ErrorRecord WithAdvice(ErrorRecord record, string errorId, string message, string? command)
        {
            if (ErrorAdvice.For(errorId, command) is string advice)
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
