using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using BatchOps.Engine;
using BatchOps.Engine.Storage;
using BatchOps.Infrastructure;
using BatchOps.Engine.Errors;

namespace BatchOps.Commands
{
    [Cmdlet(VerbsCommon.Get, "BatchJob")]
    [OutputType(typeof(BatchJob))]
    public sealed class GetBatchJobCommand : BatchOpsCmdlet
    {
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Job")]
        [ArgumentCompleter(typeof(JobNameCompleter))]
        [SupportsWildcards]
        public string[]? Name { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? Store { get; set; }

        protected override void ProcessRecord()
        {
            IJobStore store = OpenStore(Store, StoreAccess.ReadOnly);
            IReadOnlyList<BatchJob> jobs = store.GetJobs();
            if (Name == null || Name.Length == 0)
            {
                WriteObject(jobs, enumerateCollection: true);
                return;
            }

            foreach (string name in Name)
            {
                if (WildcardPattern.ContainsWildcardCharacters(name))
                {
                    WildcardPattern? pattern = null;
                    TryEngine(() =>
                    {
                        JobNames.ValidatePattern(name);
                        try
                        {
                            pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
                            pattern.IsMatch(""); // a malformed pattern ('emb[') is found when first used
                        }
                        catch (WildcardPatternException e)
                        {
                            pattern = null;
                            throw BatchOpsException.InvalidArgument(ErrorIds.JobNameInvalid, $"The job name pattern '{name}' is not a valid wildcard pattern ({e.Message}). Escape '[' and ']' with a backtick, or name the job exactly.", name);
                        }
                    });
                    if (pattern != null)
                    {
                        WriteObject(jobs.Where(j => pattern.IsMatch(j.Name)), enumerateCollection: true);
                    }
                }
                else
                {
                    TryEngine(() => WriteObject(store.GetJob(name)));
                }
            }
        }
    }
}
