using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading;
using System.Threading.Tasks;
using BatchOps.Engine;
using BatchOps.Engine.Processing;
using BatchOps.Infrastructure;
using BatchOps.Engine.Input;

namespace BatchOps.Processing
{
    /// <summary>
    /// Runs a script block per item, one <see cref="RunspaceWorker"/> (a runspace of its own) per worker. A ScriptBlock
    /// object belongs to the runspace that made it and must never run on a worker thread, so only its text crosses
    /// over; each runspace compiles it once. The item's payload is $_ and the first argument (a file or folder item's
    /// is its FileInfo/DirectoryInfo, read again); $BatchItem holds its key, attempt, job and run id.
    /// The caller's variables, functions and modules are not in the runspaces: pass them with -Variable and -ImportModule.
    /// </summary>
    internal sealed class ScriptBlockProcessor : IItemProcessor, IReleasableProcessor, IDisposable
    {
        private readonly string _script;
        private readonly string _location;
        private readonly InitialSessionState _state;
        private readonly ConcurrentBag<RunspaceWorker> _idle = new ConcurrentBag<RunspaceWorker>();
        private int _disposed;

        /// <param name="script">The script block's text.</param>
        /// <param name="location">The folder the block runs in (the caller's file system location).</param>
        /// <param name="variables">Variables to define in every runspace (-Variable).</param>
        /// <param name="modules">Modules to import in every runspace (-ImportModule).</param>
        /// <param name="usingValues">The values of the block's $using: variables (see <see cref="UsingVariables"/>).</param>
        public ScriptBlockProcessor(string script, string location, IDictionary? variables, IEnumerable<string>? modules, IDictionary? usingValues = null)
        {
            _script = script;
            _location = location;
            InitialSessionState state = InitialSessionState.CreateDefault2();

            // A module that cannot be imported fails the run at once, not every item with "command not found".
            state.ThrowOnRunspaceOpenError = true;
            foreach (IDictionary? set in new[] { variables, usingValues })
            {
                if (set == null)
                {
                    continue;
                }

                foreach (DictionaryEntry entry in set)
                {
                    object? value = PSValue.Unwrap(entry.Value);
                    state.Variables.Add(new SessionStateVariableEntry(entry.Key.ToString(), value, "Passed to Start-BatchRun."));
                }
            }

            string[] toImport = modules?.Where(m => !string.IsNullOrWhiteSpace(m)).ToArray() ?? new string[0];
            if (toImport.Length > 0)
            {
                state.ImportPSModule(toImport);
            }

            _state = state;

            // The first runspace opens now, so that a module that cannot be imported fails the run at once.
            _idle.Add(new RunspaceWorker(_state, _script));
        }

        /// <summary>Deep sleep: closes the runspaces (and what the block loaded in them); the next item opens them again.</summary>
        public void ReleaseResources()
        {
            while (_idle.TryTake(out RunspaceWorker? worker))
            {
                worker.Dispose();
            }
        }

        public async Task<ItemResult> ProcessAsync(ItemContext item, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            RunspaceWorker worker = Rent();
            try
            {
                bool fileSystem = FileSystemPayload.TryRead(item.Payload, out string path);
                var call = new ScriptCall(fileSystem ? null : PowerShellValues.FromPayload(item.Payload), ItemInfo(item), _location, fileSystem ? path : "");
                await worker.RunAsync(call, cancellationToken).ConfigureAwait(false);
                return Outcome(call);
            }
            finally
            {
                Return(worker);
            }
        }

        private static ItemResult Outcome(ScriptCall call)
        {
            if (call.Failure != null)
            {
                Exception cause = ScriptErrors.Original(call.Failure.Exception);
                if (RateLimitSignal.IsRateLimit(cause, out TimeSpan? retryAfter))
                {
                    return ItemResult.RateLimited(cause.Message, retryAfter);
                }

                return ItemResult.Failure(cause.Message, ScriptErrors.TypeName(cause), detail: ScriptErrors.Detail(call.Failure));
            }

            // As -Command does: a native program's exit code decides, and the end of its standard error says why.
            if (call.ExitCode != 0)
            {
                return ItemResult.Failure(NativeFailure.Message(call.ExitCode, ScriptErrors.NativeErrorTail(call.Errors)), ScriptErrors.NativeCommandFailed);
            }

            // A native command's standard error arrives as error records; only its exit code decides (as $? does).
            List<ErrorRecord> errors = call.Errors.Where(r => !ScriptErrors.IsNativeErrorOutput(r)).ToList();
            string? output = call.Output == null ? null : PowerShellValues.ResultText(call.Output);
            return errors.Count > 0 ? Failure(errors, output) : ItemResult.Success(output);
        }

        private static PSObject ItemInfo(ItemContext item)
        {
            var info = new PSObject();
            info.Properties.Add(new PSNoteProperty("Job", item.Job));
            info.Properties.Add(new PSNoteProperty("Key", item.Key));
            info.Properties.Add(new PSNoteProperty("Attempt", item.Attempt));
            info.Properties.Add(new PSNoteProperty("RunId", item.RunId));
            info.Properties.Add(new PSNoteProperty("Payload", item.Payload));
            info.TypeNames.Insert(0, "BatchOps.ItemContext");
            return info;
        }

        private static ItemResult Failure(List<ErrorRecord> errors, string? output)
        {
            Exception first = ScriptErrors.Original(errors[0].Exception);
            string message = errors[0].ErrorDetails?.Message ?? first.Message;
            if (errors.Count > 1)
            {
                message += $" (and {errors.Count - 1} more error(s))";
            }

            // Invoke-RestMethod's HttpResponseException carries the response: its 429 and Retry-After.
            if (RateLimitSignal.IsRateLimit(first, out TimeSpan? retryAfter))
            {
                return ItemResult.RateLimited(message, retryAfter, output);
            }

            return ItemResult.Failure(message, ScriptErrors.TypeName(first), output, ScriptErrors.Detail(errors[0]));
        }

        private RunspaceWorker Rent()
        {
            while (_idle.TryTake(out RunspaceWorker? worker))
            {
                if (worker.IsAlive)
                {
                    return worker;
                }

                worker.Dispose();
            }

            return new RunspaceWorker(_state, _script);
        }

        private void Return(RunspaceWorker worker)
        {
            if (worker.IsAlive && Volatile.Read(ref _disposed) == 0)
            {
                _idle.Add(worker);
            }
            else
            {
                worker.Dispose();
            }
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1)
            {
                return;
            }

            ReleaseResources();
        }
    }
}
