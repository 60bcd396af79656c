using System;

namespace BatchOps.Engine.Errors
{
    /// <summary>
    /// An error the user can act on: it carries a stable <see cref="ErrorId"/> (see <see cref="ErrorIds"/>), a category
    /// and the object it is about, and its message says what went wrong and what to do.
    /// </summary>
    public class BatchOpsException : Exception
    {
        public BatchOpsException(string errorId, BatchOpsErrorCategory category, string message, object? target = null, Exception? inner = null)
            : base(message, inner)
        {
            ErrorId = errorId;
            Category = category;
            Target = target;
        }

        public string ErrorId { get; }

        public BatchOpsErrorCategory Category { get; }

        public object? Target { get; }

        public static BatchOpsException InvalidArgument(string errorId, string message, object? target = null) =>
            new BatchOpsException(errorId, BatchOpsErrorCategory.InvalidArgument, message, target);
    }
}
