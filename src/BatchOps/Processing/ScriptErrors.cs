using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Text;
using BatchOps.Engine.Processing;

namespace BatchOps.Processing
{
    /// <summary>
    /// What a script block's failure was, under PowerShell's wrappers: `throw [TimeoutException]'x'` reaches the host as
    /// a MethodInvocationException around a RuntimeException around the TimeoutException, and the error log should say
    /// TimeoutException. A native command's failure gets a fixed type and the end of its standard error.
    /// </summary>
    internal static class ScriptErrors
    {
        /// <summary>The error type of a native command that ended with a non-zero exit code.</summary>
        public const string NativeCommandFailed = "NativeCommandFailed";

        /// <summary>As much of a native command's standard error as -Command keeps.</summary>
        public const int ErrorTailLength = ExternalCommandProcessor.ErrorTailLength;

        /// <summary>The exception the script threw, with PowerShell's wrappers taken off.</summary>
        public static Exception Original(Exception e)
        {
            for (int depth = 0; depth < 16; depth++)
            {
                Exception? next = Unwrapped(e);
                if (next == null || ReferenceEquals(next, e))
                {
                    break;
                }

                e = next;
            }

            return e;
        }

        private static Exception? Unwrapped(Exception e)
        {
            bool wrapper = e is MethodInvocationException || e is GetValueInvocationException || e is SetValueInvocationException
                || e is CmdletInvocationException || e is ActionPreferenceStopException
                || e is System.Reflection.TargetInvocationException || e is AggregateException
                || e.GetType() == typeof(RuntimeException);
            if (!wrapper)
            {
                return null;
            }

            // The record's exception is the original, unless it is only PowerShell's marker for "see the parent".
            if (e is IContainsErrorRecord holder && holder.ErrorRecord?.Exception is Exception recorded
                && !ReferenceEquals(recorded, e) && IsCause(recorded))
            {
                return recorded;
            }

            return e.InnerException is Exception inner && IsCause(inner) ? inner : null;
        }

        // Not a cause: PowerShell's "see the parent" marker, or a bare copy of the parent whose record points back to it
        // (stopping above it keeps the record that says what was thrown, e.g. the type in `throw [TimeoutException]`).
        private static bool IsCause(Exception e) =>
            !(e is ParentContainsErrorRecordException)
            && !(e.GetType() == typeof(RuntimeException) && ((IContainsErrorRecord)e).ErrorRecord?.Exception is ParentContainsErrorRecordException);

        /// <summary>A short type name for the error log: the original exception's, or the native command marker.</summary>
        public static string TypeName(Exception original)
        {
            // `throw [TimeoutException]` throws the type itself: PowerShell makes a RuntimeException that targets it.
            object? thrown = (original as RuntimeException)?.ErrorRecord?.TargetObject;
            Type? type = BatchOps.Infrastructure.PSValue.Unwrap(thrown) as Type;
            return type != null && typeof(Exception).IsAssignableFrom(type) ? type.Name : original.GetType().Name;
        }

        // The outermost frame is the processor's own bootstrap script, which says nothing about the user's block.
        private static string WithoutHostFrame(string stack)
        {
            int last = stack.LastIndexOf('\n');
            return last < 0 ? stack : stack.Substring(0, last).TrimEnd();
        }

        /// <summary>True for a record that is a line a native command wrote to standard error (not an error by itself).</summary>
        public static bool IsNativeErrorOutput(ErrorRecord record) =>
            record.FullyQualifiedErrorId == "NativeCommandError" || record.FullyQualifiedErrorId == "NativeCommandErrorMessage";

        /// <summary>The end of what native commands wrote to standard error, or "" if nothing.</summary>
        public static string NativeErrorTail(IEnumerable<ErrorRecord> records)
        {
            var text = new StringBuilder();
            foreach (ErrorRecord record in records)
            {
                if (IsNativeErrorOutput(record))
                {
                    text.Append(record.Exception?.Message ?? record.ToString()).Append('\n');
                }
            }

            string all = text.ToString().Trim();
            return all.Length <= ErrorTailLength ? all : "..." + all.Substring(all.Length - ErrorTailLength);
        }

        /// <summary>
        /// Where in the script the error happened: the position (line, column, the code) and the script stack of the
        /// innermost record under the wrappers, which is the block's own line and not the host's call. Null if none.
        /// </summary>
        public static string? Detail(ErrorRecord outer)
        {
            ErrorRecord record = outer;
            Exception e = outer.Exception;
            for (int depth = 0; depth < 16 && e != null; depth++)
            {
                if (e is IContainsErrorRecord holder && holder.ErrorRecord is ErrorRecord inner && inner.InvocationInfo != null)
                {
                    record = inner;
                }

                Exception? next = Unwrapped(e);
                if (next == null || ReferenceEquals(next, e))
                {
                    break;
                }

                e = next;
            }

            string position = record.InvocationInfo?.PositionMessage?.Trim() ?? "";
            string stack = WithoutHostFrame((!string.IsNullOrWhiteSpace(record.ScriptStackTrace) ? record.ScriptStackTrace : outer.ScriptStackTrace ?? "").Trim());
            string detail = position.Length > 0 && stack.Length > 0 ? position + "\n" + stack : position + stack;
            return detail.Length == 0 ? null : detail;
        }
    }
}
