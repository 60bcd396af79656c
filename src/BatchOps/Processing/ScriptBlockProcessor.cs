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

namespace BatchOps.Processing
{
    /// <summary>
    /// Runs a script block per item in a runspace pool of its own. A ScriptBlock object belongs to the runspace that
    /// made it and must never run on a worker thread, so only its text crosses over; each pool runspace compiles it
    /// once. The item's payload is $_ and the first argument (a file or folder item's is its FileInfo/DirectoryInfo,
    /// read again); $BatchItem holds its key, attempt, job and run id.
    /// The caller's variables, functions and modules are not in the pool: pass them with -Variable and -ImportModule.
    /// </summary>
    internal sealed class ScriptBlockProcessor : IItemProcessor, IReleasableProcessor, IDisposable
    {
        // Runs in the pool runspace. Only engine features and core commands, so that it works in any host.
        private const string Bootstrap = @"
param([string] $BatchOpsScript, $BatchOpsPayload, $BatchItem, [string] $BatchOpsLocation, [string] $BatchOpsFileSystemPath)
if ($ExecutionContext.SessionState.Path.CurrentFileSystemLocation.ProviderPath -ne $BatchOpsLocation) {
    $null = $ExecutionContext.SessionState.Path.SetLocation([System.Management.Automation.WildcardPattern]::Escape($BatchOpsLocation))
}
if ($global:__BatchOpsText -cne $BatchOpsScript) {
    $global:__BatchOpsBlock = [scriptblock]::Create($BatchOpsScript)
    $global:__BatchOpsText = $BatchOpsScript
}
if ($BatchOpsFileSystemPath) {
    # An item made from a file or folder: $_ is that FileInfo or DirectoryInfo again, read now.
    $BatchOpsPayload = Get-Item -LiteralPath $BatchOpsFileSystemPath -Force -ErrorAction Ignore
    if ($null -eq $BatchOpsPayload) {
        throw [System.Management.Automation.ItemNotFoundException]::new(""The file or folder '$BatchOpsFileSystemPath' this item was made from no longer exists: it was deleted or moved after the item was added."")
    }
}
$global:LASTEXITCODE = 0
$BatchOpsVariables = [System.Collections.Generic.List[psvariable]]::new()
$BatchOpsVariables.Add([psvariable]::new('_', $BatchOpsPayload))
$BatchOpsVariables.Add([psvariable]::new('BatchItem', $BatchItem))
$global:__BatchOpsBlock.InvokeWithContext($null, $BatchOpsVariables, $BatchOpsPayload)
if ($global:LASTEXITCODE -ne 0) {
    throw [System.Management.Automation.ErrorRecord]::new(
        [System.Exception]::new(""Exit code $($global:LASTEXITCODE).""),
        'NativeCommandFailed', 'NotSpecified', $global:LASTEXITCODE)
}
";

        private readonly string _script;
        private readonly string _location;
        private readonly InitialSessionState _state;
        private readonly int _throttleLimit;
        private readonly object _poolLock = new object();
        private RunspacePool? _pool;
        private readonly ConcurrentBag<PowerShell> _idle = new ConcurrentBag<PowerShell>();
        private int _disposed;

        /// <param name="script">The script block's text.</param>
        /// <param name="throttleLimit">Runspaces in the pool: one per worker.</param>
        /// <param name="location">The folder the block runs in (the caller's file system location).</param>
        /// <param name="variables">Variables to define in every runspace (-Variable).</param>
        /// <param name="modules">Modules to import in every runspace (-ImportModule).</param>
        /// <param name="usingValues">The values of the block's $using: variables (see <see cref="UsingVariables"/>).</param>
        public ScriptBlockProcessor(string script, int throttleLimit, string location, IDictionary? variables, IEnumerable<string>? modules, IDictionary? usingValues = null)
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
                    // Unwrap PowerShell's wrapper, but keep a PSCustomObject whole: its properties live in the wrapper.
                    object? value = entry.Value is PSObject wrapped && !(wrapped.BaseObject is PSCustomObject) ? wrapped.BaseObject : entry.Value;
                    state.Variables.Add(new SessionStateVariableEntry(entry.Key.ToString(), value, "Passed to Start-BatchRun."));
                }
            }

            string[] toImport = modules?.Where(m => !string.IsNullOrWhiteSpace(m)).ToArray() ?? new string[0];
            if (toImport.Length > 0)
            {
                state.ImportPSModule(toImport);
            }

            _state = state;
            _throttleLimit = Math.Max(1, throttleLimit);
            _pool = OpenPool();
        }

        private RunspacePool OpenPool()
        {
            RunspacePool pool = RunspaceFactory.CreateRunspacePool(_state);
            pool.SetMinRunspaces(1);
            pool.SetMaxRunspaces(_throttleLimit);
            pool.Open();
            return pool;
        }

        /// <summary>Deep sleep: closes the runspaces (and what the block loaded in them); the next item opens them again.</summary>
        public void ReleaseResources()
        {
            lock (_poolLock)
            {
                while (_idle.TryTake(out PowerShell? shell))
                {
                    shell.Dispose();
                }

                _pool?.Dispose();
                _pool = null;
            }
        }

        public async Task<ItemResult> ProcessAsync(ItemContext item, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            PowerShell shell = Rent();
            bool reusable = true;
            try
            {
                bool fileSystem = FileSystemPayload.TryRead(item.Payload, out string path);
                shell.AddScript(Bootstrap)
                    .AddArgument(_script)
                    .AddArgument(fileSystem ? null : PowerShellValues.FromPayload(item.Payload))
                    .AddArgument(ItemInfo(item))
                    .AddArgument(_location)
                    .AddArgument(fileSystem ? path : "");

                PSDataCollection<PSObject> output;
                using (cancellationToken.Register(() => Stop(shell)))
                {
                    output = await Task.Factory.FromAsync(shell.BeginInvoke(), shell.EndInvoke).ConfigureAwait(false);
                }

                if (cancellationToken.IsCancellationRequested)
                {
                    reusable = false;
                    throw new OperationCanceledException(cancellationToken);
                }

                // A native command's standard error arrives as error records; only its exit code decides (as $? does).
                List<ErrorRecord> errors = shell.Streams.Error.Where(r => !ScriptErrors.IsNativeErrorOutput(r)).ToList();
                if (errors.Count > 0)
                {
                    return Failure(errors, PowerShellValues.ResultText(output));
                }

                return ItemResult.Success(PowerShellValues.ResultText(output));
            }
            catch (PipelineStoppedException) when (cancellationToken.IsCancellationRequested)
            {
                reusable = false;
                throw new OperationCanceledException(cancellationToken);
            }
            catch (RuntimeException e) when (e.ErrorRecord?.FullyQualifiedErrorId == ScriptErrors.NativeCommandFailed)
            {
                // As -Command does: the end of the program's standard error says why (python's traceback, curl's reason).
                int exitCode = e.ErrorRecord.TargetObject is int code ? code : -1;
                return ItemResult.Failure(NativeFailure.Message(exitCode, ScriptErrors.NativeErrorTail(shell.Streams.Error)), ScriptErrors.NativeCommandFailed);
            }
            catch (RuntimeException e)
            {
                Exception cause = ScriptErrors.Original(e);
                if (RateLimitSignal.IsRateLimit(cause, out TimeSpan? retryAfter))
                {
                    return ItemResult.RateLimited(cause.Message, retryAfter);
                }

                return ItemResult.Failure(cause.Message, ScriptErrors.TypeName(cause), detail: e.ErrorRecord == null ? null : ScriptErrors.Detail(e.ErrorRecord));
            }
            finally
            {
                Return(shell, reusable);
            }
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

        private static void Stop(PowerShell shell)
        {
            try
            {
                shell.BeginStop(null, null);
            }
            catch (Exception e) when (e is ObjectDisposedException || e is InvalidOperationException)
            {
            }
        }

        private PowerShell Rent()
        {
            if (!_idle.TryTake(out PowerShell? shell))
            {
                shell = PowerShell.Create();
                lock (_poolLock)
                {
                    _pool ??= OpenPool();
                    shell.RunspacePool = _pool;
                }
            }

            return shell;
        }

        private void Return(PowerShell shell, bool reusable)
        {
            if (reusable && Volatile.Read(ref _disposed) == 0)
            {
                shell.Commands.Clear();
                shell.Streams.ClearStreams();
                _idle.Add(shell);
            }
            else
            {
                shell.Dispose();
            }
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1)
            {
                return;
            }

            while (_idle.TryTake(out PowerShell? shell))
            {
                shell.Dispose();
            }

            lock (_poolLock)
            {
                _pool?.Dispose();
                _pool = null;
            }
        }
    }
}
