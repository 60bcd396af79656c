using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using BatchOps.Engine;
using BatchOps.Engine.Storage;
using BatchOps.Infrastructure;
using BatchOps.Engine.Errors;

namespace BatchOps.Commands
{
    [Cmdlet(VerbsCommon.Reset, "BatchItem", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = KeySet)]
    [OutputType(typeof(BatchItem))]
    public sealed class ResetBatchItemCommand : BatchOpsCmdlet
    {
        private const string KeySet = "Key";
        private const string StatusSet = "Status";
        private const int FlushSize = 500;

        // Keys approved by ShouldProcess, waiting to be reset in one transaction per store and job.
        private readonly Dictionary<(IJobStore Store, string Job), List<string>> _pending = new Dictionary<(IJobStore, string), List<string>>();

        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Name")]
        [ArgumentCompleter(typeof(JobNameCompleter))]
        public string Job { get; set; } = "";

        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true, ParameterSetName = KeySet)]
        [SupportsWildcards]
        public string[] Key { get; set; } = new string[0];

        [Parameter(Mandatory = true, ParameterSetName = StatusSet)]
        [ArgumentCompleter(typeof(StatusCompleter))]
        public ItemStatus Status { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? Store { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        // Keys typed on the command line are patterns; keys bound from piped items (Get-BatchItem output) are exact.
        private bool _keysArePatterns;

        protected override void BeginProcessing()
        {
            _keysArePatterns = MyInvocation.BoundParameters.ContainsKey(nameof(Key));
        }

        protected override void ProcessRecord()
        {
            IJobStore store = OpenStore(Store, StoreAccess.ReadWriteExisting);
            TryEngine(() =>
            {
                BatchJob job = store.GetJob(Job);
                if (ParameterSetName == StatusSet)
                {
                    long count = job.CountOf(Status);
                    if (ShouldProcess($"{count:N0} {Status} item(s) of job '{job.Name}'", "Reset to Pending"))
                    {
                        long reset = store.ResetItems(job, Status);
                        WriteVerbose($"Reset {reset:N0} {Status} item(s) of job '{job.Name}' to Pending.");
                        if (PassThru)
                        {
                            WriteObject(store.GetItems(job, new ItemQuery { Status = ItemStatus.Pending }), enumerateCollection: true);
                        }
                    }

                    return;
                }

                foreach (string key in KeysOf(store, job))
                {
                    if (!ShouldProcess($"item '{key}' of job '{job.Name}'", "Reset to Pending"))
                    {
                        continue;
                    }

                    if (!_pending.TryGetValue((store, job.Name), out List<string>? keys))
                    {
                        _pending[(store, job.Name)] = keys = new List<string>();
                    }

                    keys.Add(key);
                    if (keys.Count >= FlushSize)
                    {
                        Flush(store, job.Name, keys);
                    }
                }
            });
        }

        protected override void EndProcessing()
        {
            foreach (KeyValuePair<(IJobStore Store, string Job), List<string>> entry in _pending)
            {
                TryEngine(() => Flush(entry.Key.Store, entry.Key.Job, entry.Value));
            }
        }

        private void Flush(IJobStore store, string jobName, List<string> keys)
        {
            if (keys.Count == 0)
            {
                return;
            }

            BatchJob job = store.GetJob(jobName);
            ResetResult result = store.ResetItems(job, keys);
            keys.Clear();
            foreach (string missing in result.NotFound)
            {
                WriteError(ErrorRecords.From(ErrorIds.ItemNotFound, ErrorCategory.ObjectNotFound, $"Job '{job.Name}' has no item with the key '{missing}'. Keys are exact and case-sensitive; list them with Get-BatchItem -Job '{job.Name}'.", missing));
            }

            foreach (string busy in result.InFlight)
            {
                WriteError(ErrorRecords.From(ErrorIds.ItemInFlight, ErrorCategory.ResourceBusy, $"Item '{busy}' of job '{job.Name}' is being processed by a run right now and was not reset. Stop the run first; a crashed run's items return to Pending by themselves.", busy));
            }

            WriteVerbose($"Reset {result.Reset.Count:N0} item(s) of job '{job.Name}' to Pending.");
            if (PassThru && result.Reset.Count > 0)
            {
                WriteObject(store.GetItems(job, new ItemQuery { KeyPatterns = Escape(result.Reset) }), enumerateCollection: true);
            }
        }

        /// <summary>The exact keys -Key names: patterns expand to the job's matching keys (Get-BatchItem's rule).</summary>
        private IEnumerable<string> KeysOf(IJobStore store, BatchJob job)
        {
            if (!_keysArePatterns)
            {
                foreach (string key in Key)
                {
                    yield return key;
                }

                yield break;
            }

            foreach (string pattern in ItemKeyArguments.Patterns(this, Key))
            {
                if (!WildcardPattern.ContainsWildcardCharacters(pattern))
                {
                    yield return WildcardPattern.Unescape(pattern);
                    continue;
                }

                foreach (BatchItem item in store.GetItems(job, new ItemQuery { KeyPatterns = new[] { pattern }, IncludePayload = false }).ToList())
                {
                    yield return item.Key;
                }
            }
        }

        private static List<string> Escape(List<string> keys) => keys.ConvertAll(k => WildcardPattern.Escape(k));
    }
}
