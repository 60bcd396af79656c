using System.Collections.Generic;
using System.Management.Automation;
using BatchOps.Engine;
using BatchOps.Engine.Reporting;
using BatchOps.Engine.Storage;
using BatchOps.Infrastructure;

namespace BatchOps.Commands
{
    [Cmdlet(VerbsCommon.Get, "BatchResult")]
    [OutputType(typeof(PSObject))]
    public sealed class GetBatchResultCommand : BatchOpsCmdlet
    {
        // The fixed columns, in order; a result field of the same name is written as Result<Name>.
        private static readonly HashSet<string> Fixed = new HashSet<string>(System.StringComparer.OrdinalIgnoreCase)
        {
            "Key", "Status", "Attempts", "Finished", "Run", "Batch", "Error", "Result",
        };

        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Name")]
        [ArgumentCompleter(typeof(JobNameCompleter))]
        public string Job { get; set; } = "";

        [Parameter]
        [ArgumentCompleter(typeof(StatusCompleter))]
        public ItemStatus? Status { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("RunId")]
        public long? Run { get; set; }

        [Parameter]
        public long? Batch { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? Store { get; set; }

        protected override void ProcessRecord()
        {
            SqliteJobStore store = OpenStore(Store, StoreAccess.ReadOnly);
            TryEngine(() =>
            {
                BatchJob job = store.GetJob(Job);
                var query = new ItemQuery { Status = Status, RunId = Run, Batch = Batch, IncludePayload = false };
                foreach (BatchItem item in ItemPages.Read(store, job, query))
                {
                    WriteObject(ToResult(item));
                }
            });
        }

        private static PSObject ToResult(BatchItem item)
        {
            var result = new PSObject();
            result.TypeNames.Insert(0, "BatchOps.BatchResult");
            result.Properties.Add(new PSNoteProperty("Key", item.Key));
            result.Properties.Add(new PSNoteProperty("Status", item.Status.ToString()));
            result.Properties.Add(new PSNoteProperty("Attempts", item.Attempts));
            result.Properties.Add(new PSNoteProperty("Finished", item.Finished));
            result.Properties.Add(new PSNoteProperty("Run", item.RunId));
            result.Properties.Add(new PSNoteProperty("Batch", item.Batch));
            result.Properties.Add(new PSNoteProperty("Error", item.LastError));
            if (ResultFields.Of(item.Result) is IReadOnlyList<KeyValuePair<string, object?>> fields)
            {
                // An object's fields become the result's own properties: Export-Csv gives them columns.
                foreach (KeyValuePair<string, object?> field in fields)
                {
                    string name = Fixed.Contains(field.Key) ? "Result" + field.Key : field.Key;
                    if (result.Properties[name] == null)
                    {
                        result.Properties.Add(new PSNoteProperty(name, field.Value));
                    }
                }
            }
            else
            {
                result.Properties.Add(new PSNoteProperty("Result", item.Result));
            }

            return result;
        }
    }
}
