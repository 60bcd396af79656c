using System.Management.Automation;
using BatchOps.Engine;
using BatchOps.Infrastructure;

namespace BatchOps.Commands
{
    /// <summary>
    /// <para type="synopsis">Gets one health sample: Healthy, Degraded or Critical with reasons, memory, disk, error rate, throughput, ETA and the latest checkpoint.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "BatchHealth")]
    [OutputType(typeof(HealthSample))]
    public sealed class GetBatchHealthCommand : HealthCommand
    {
        /// <summary>The job to judge (error rate, stall, rate limits, checkpoint). Without it: the machine and the vector store only.</summary>
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
