using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using BatchOps.Engine;
using BatchOps.Engine.Storage;
using BatchOps.Engine.Input;
using BatchOps.Engine.Errors;

namespace BatchOps.Infrastructure
{
    /// <summary>
    /// Turns pipeline input into items of a job as it streams (Start-BatchRun, Add-BatchItem): key and payload by
    /// the engine's rules, written in chunks. An item that cannot be keyed stops the feed; what was not yet written
    /// is dropped, and nothing at all is written (not even the store or the job) when an item of the first chunk is refused.
    /// </summary>
    internal sealed class ItemFeeder : System.IDisposable
    {
        private readonly System.Func<IJobStore> _store;
        private string _job;
        private readonly string? _keyProperty;
        private readonly ScriptBlock? _keyScript;
        private EnqueueBuffer? _buffer;

        /// <param name="store">Opens (creating if need be) the store; called only when the first valid item arrives.</param>
        /// <param name="job">The job to add to; created with its first item. Empty: named with the first item (see Add).</param>
        /// <param name="keySelector">-Key: a property name or a script block, or null for the default rules.</param>
        public ItemFeeder(System.Func<IJobStore> store, string job, object? keySelector)
        {
            _store = store;
            _job = job;
            switch (PSValue.Unwrap(keySelector))
            {
                case null:
                    break;
                case ScriptBlock block:
                    _keyScript = block;
                    break;
                case string property when property.Trim().Length > 0:
                    _keyProperty = property.Trim();
                    break;
                default:
                    throw BatchOpsException.InvalidArgument(
                        ErrorIds.KeySelectorInvalid,
                        $"-Key must be a property name (such as -Key Sku) or a script block (such as -Key {{ $_.Path }}); it was '{keySelector}'.",
                        keySelector);
            }
        }

        /// <summary>
        /// Adds what a cmdlet's -InputObject received. From the pipeline that is one item; passed by name, a collection
        /// is a list of items (as `Add-BatchItem -InputObject $files` means).
        /// </summary>
        public void AddInput(PSObject? inputObject, bool fromPipeline)
        {
            foreach (PSObject? element in Elements(inputObject, fromPipeline))
            {
                Add(element);
            }
        }

        /// <summary>The items in what -InputObject received (see AddInput).</summary>
        public static IEnumerable<PSObject?> Elements(PSObject? inputObject, bool fromPipeline)
        {
            IEnumerable? many = fromPipeline || inputObject == null || inputObject.BaseObject is string || inputObject.BaseObject is IDictionary
                ? null
                : LanguagePrimitives.GetEnumerable(inputObject.BaseObject);
            if (many == null)
            {
                yield return inputObject;
                yield break;
            }

            foreach (object? element in many)
            {
                yield return element == null ? null : PSObject.AsPSObject(element);
            }
        }

        /// <summary>Adds one item to <paramref name="job"/>, for a feeder made before the job was known (a piped BatchJob names it).</summary>
        public void Add(PSObject? inputObject, string job)
        {
            if (_buffer == null)
            {
                _job = job;
            }

            Add(inputObject);
        }

        public void Add(PSObject? inputObject)
        {
            try
            {
                if (inputObject == null)
                {
                    throw new BatchOpsException(ErrorIds.KeyEmpty, BatchOpsErrorCategory.InvalidArgument, "The pipeline passed $null as an item. Filter it out (Where-Object { $_ }) before BatchOps.", null);
                }

                var input = new PSInputObject(inputObject);
                string key = _keyScript != null ? ItemKeys.FromValue(EvaluateKeyScript(inputObject), input) : ItemKeys.Resolve(input, _keyProperty);
                string payload = ItemPayloads.FromInput(input, key);
                _buffer ??= new EnqueueBuffer(_store, _job);

                _buffer.Add(new NewItem(key, payload));
            }
            catch (BatchOpsException e)
            {
                _buffer?.Discard();
                long written = _buffer?.Committed ?? 0;
                if (written == 0)
                {
                    throw;
                }

                throw new BatchOpsException(
                    e.ErrorId,
                    e.Category,
                    e.Message + $" The {written:N0} item(s) before it were already added to job '{_job}'; fix the input and run the command again (items already added are not added twice).",
                    e.Target,
                    e);
            }
        }

        /// <summary>Writes what is left; null if no input came at all.</summary>
        public EnqueueResult? Complete() => _buffer?.Complete();

        /// <summary>Waits for a chunk still in writing (a stopped pipeline must not close the store under it).</summary>
        public void Dispose() => _buffer?.Dispose();

        private object? EvaluateKeyScript(PSObject inputObject)
        {
            try
            {
                var variables = new List<PSVariable> { new PSVariable("_", inputObject) };
                var output = _keyScript!.InvokeWithContext(null, variables, inputObject);
                return output.Count == 0 || output[0] == null ? null : output[0].BaseObject;
            }
            catch (RuntimeException e)
            {
                throw new BatchOpsException(ErrorIds.KeyScriptFailed, BatchOpsErrorCategory.InvalidArgument, $"The -Key script block failed for an input object: {e.Message}", inputObject, e);
            }
        }
    }
}
