using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading;
using System.Threading.Tasks;

namespace BatchOps.Processing
{
    /// <summary>
    /// One runspace whose single long pipeline runs the user's block item after item: the block is compiled once, and
    /// an item costs a call of the block rather than a new pipeline (which is what makes script blocks ~10x faster
    /// than a pipeline per item). The loop asks <see cref="Next"/> for an item and hands it back with <see cref="Done"/>;
    /// errors the block writes are taken from the loop's error stream at that moment, so each item gets its own.
    /// Stopping an item stops the whole pipeline: the worker is then finished and its owner opens another.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed class RunspaceWorker : IDisposable
    {
        // Runs in the worker's runspace. Only engine features and core commands, so that it works in any host.
        private const string Loop = @"
param($BatchOpsWorker, [string] $BatchOpsScript)
$BatchOpsBlock = [scriptblock]::Create($BatchOpsScript)
while ($null -ne ($BatchOpsCall = $BatchOpsWorker.Next())) {
    try {
        # .Path, not .ProviderPath: resolving the provider path re-reads the mount table on Linux at every item.
        if ($ExecutionContext.SessionState.Path.CurrentFileSystemLocation.Path -ne $BatchOpsCall.Location) {
            $null = $ExecutionContext.SessionState.Path.SetLocation([System.Management.Automation.WildcardPattern]::Escape($BatchOpsCall.Location))
        }
        $BatchOpsPayload = $BatchOpsCall.Payload
        if ($BatchOpsCall.FileSystemPath) {
            # An item made from a file or folder: $_ is that FileInfo or DirectoryInfo again, read now.
            $BatchOpsPayload = Get-Item -LiteralPath $BatchOpsCall.FileSystemPath -Force -ErrorAction Ignore
            if ($null -eq $BatchOpsPayload) {
                throw [System.Management.Automation.ItemNotFoundException]::new(""The file or folder '$($BatchOpsCall.FileSystemPath)' this item was made from no longer exists: it was deleted or moved after the item was added."")
            }
        }
        $global:LASTEXITCODE = 0
        $BatchOpsVariables = [System.Collections.Generic.List[psvariable]]::new()
        $BatchOpsVariables.Add([psvariable]::new('_', $BatchOpsPayload))
        $BatchOpsVariables.Add([psvariable]::new('BatchItem', $BatchOpsCall.Info))
        if (-not $BatchOpsWorker.Invoke($BatchOpsCall, $BatchOpsBlock, $BatchOpsVariables, $BatchOpsPayload)) {
            $BatchOpsCall.ExitCode = $global:LASTEXITCODE
        }
    }
    catch {
        $BatchOpsCall.Failure = $_
    }
    $BatchOpsWorker.Done($BatchOpsCall)
}
";

        private readonly Runspace _runspace;
        private readonly PowerShell _shell;
        private readonly SemaphoreSlim _handed = new SemaphoreSlim(0);
        private readonly CancellationTokenSource _closing = new CancellationTokenSource();
        private readonly TaskCompletionSource<bool> _ended = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        private ScriptCall? _call;
        private int _disposed;
        private int _loopThread;

        internal RunspaceWorker(InitialSessionState state, string script)
        {
            _runspace = RunspaceFactory.CreateRunspace(state);
            _runspace.Open();
            _shell = PowerShell.Create();
            _shell.Runspace = _runspace;
            _shell.AddScript(Loop).AddArgument(this).AddArgument(script);
            _shell.BeginInvoke<PSObject, PSObject>(null, new PSDataCollection<PSObject>(), null, LoopEnded, null);
        }

        /// <summary>The loop still runs: the worker can take another item.</summary>
        internal bool IsAlive => !_ended.Task.IsCompleted && !_closing.IsCancellationRequested;

        /// <summary>Runs the block for one item. Cancelling stops the item (and with it this worker) and throws once it has stopped.</summary>
        internal async Task<ScriptCall> RunAsync(ScriptCall call, CancellationToken cancellationToken)
        {
            if (!IsAlive)
            {
                throw new InvalidOperationException("This runspace worker has ended; open another.");
            }

            Volatile.Write(ref _call, call);
            _handed.Release();
            using (cancellationToken.Register(Abort))
            {
                await Task.WhenAny(call.Completion.Task, _ended.Task).ConfigureAwait(false);
            }

            // A stop reaches the block as an error it may catch; the item was cancelled all the same.
            cancellationToken.ThrowIfCancellationRequested();
            if (call.Completion.Task.IsCompleted)
            {
                return await call.Completion.Task.ConfigureAwait(false);
            }

            // The loop ended before the item was done: the block stopped its own pipeline.
            throw new InvalidOperationException("The script block stopped the PowerShell pipeline that runs it before the item finished.");
        }

        /// <summary>Called by the loop: waits for the next item, or returns null when the worker closes.</summary>
        public ScriptCall? Next()
        {
            _loopThread = Environment.CurrentManagedThreadId;
            try
            {
                _handed.Wait(_closing.Token);
            }
            catch (OperationCanceledException)
            {
                return null;
            }

            return Volatile.Read(ref _call);
        }

        /// <summary>
        /// Called by the loop: runs the block for the item. Returns true when the block called exit: that would end
        /// the loop's script, so it is caught here and the item ends as a script does, with the exit code as
        /// $LASTEXITCODE (its output is lost).
        /// </summary>
        public bool Invoke(ScriptCall call, ScriptBlock block, List<PSVariable> variables, object? payload)
        {
            try
            {
                call.Output = block.InvokeWithContext(null, variables, payload);
                return false;
            }
            catch (ExitException e)
            {
                call.ExitCode = LanguagePrimitives.TryConvertTo(e.Argument, out int code) ? code : 0;
                return true;
            }
        }

        /// <summary>Called by the loop when the block has finished an item.</summary>
        public void Done(ScriptCall call)
        {
            // The block ran on this thread, so every error it wrote is in the stream now, and only its errors.
            call.Errors = _shell.Streams.Error.ReadAll();
            _shell.Streams.Warning.Clear();
            _shell.Streams.Verbose.Clear();
            _shell.Streams.Debug.Clear();
            _shell.Streams.Information.Clear();
            _shell.Streams.Progress.Clear();
            Volatile.Write(ref _call, null);
            call.Completion.TrySetResult(call);
        }

        private void Abort()
        {
            _closing.Cancel();
            try
            {
                _shell.BeginStop(null, null);
            }
            catch (Exception e) when (e is ObjectDisposedException || e is InvalidOperationException)
            {
            }
        }

        private void LoopEnded(IAsyncResult result)
        {
            try
            {
                _shell.EndInvoke(result);
            }
            catch (Exception)
            {
                // Stopped, or the block ended the script: the pending item is told by RunAsync.
            }

            _ended.TrySetResult(true);
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1)
            {
                return;
            }

            // The item's outcome is recorded on the loop's own thread (see ScriptCall.Completion): disposing from there
            // would wait for the loop to end from inside it.
            if (Environment.CurrentManagedThreadId == Volatile.Read(ref _loopThread))
            {
                Task.Run(Close);
                return;
            }

            Close();
        }

        private void Close()
        {

            _closing.Cancel();
            if (Volatile.Read(ref _call) != null)
            {
                Abort();
            }

            _ended.Task.Wait(TimeSpan.FromSeconds(30));
            _shell.Dispose();
            _runspace.Dispose();
            _closing.Dispose();
            _handed.Dispose();
        }
    }
}
