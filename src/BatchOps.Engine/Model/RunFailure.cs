using System;
using BatchOps.Engine;
using BatchOps.Engine.Errors;

namespace BatchOps
{
    /// <summary>
    /// Why a run failed, carried by its summary: the ErrorId, the category and the message of the error that ended it
    /// (RunFailed and InvalidOperation for an error the engine did not name), and the error itself for its detail.
    /// </summary>
    public sealed class RunFailure
    {
        private readonly Exception _error;

        public RunFailure(Exception error)
        {
            _error = error ?? throw new ArgumentNullException(nameof(error));
            var known = error as BatchOpsException;
            ErrorId = known?.ErrorId ?? ErrorIds.RunFailed;
            Category = known?.Category ?? BatchOpsErrorCategory.InvalidOperation;
            Message = error.Message;
        }

        public string ErrorId { get; }

        public BatchOpsErrorCategory Category { get; }

        public string Message { get; }

        /// <summary>The error itself (a method, not a property, so that a summary written as JSON or CSV stays flat).</summary>
        public Exception GetException() => _error;

        public override string ToString() => $"{ErrorId}: {Message}";
    }
}
