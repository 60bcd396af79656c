using System.Management.Automation;
using BatchOps.Engine;
using BatchOps.Infrastructure;

namespace BatchOps.Commands
{
    [Cmdlet(VerbsCommon.Get, "BatchHealth")]
    [OutputType(typeof(HealthSample))]
    public sealed class GetBatchHealthCommand : HealthCommand
    {
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Name")]
        [ArgumentCompleter(typeof(JobNameCompleter))]
        public string? Job { get; set; }

        protected override void ProcessRecord()
        {
            TryEngine(() => WriteObject(CreateMonitor(Job).Sample()));
        }
    }
}
