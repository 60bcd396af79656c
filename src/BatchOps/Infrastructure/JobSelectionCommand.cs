using System.Management.Automation;

namespace BatchOps.Infrastructure
{
    /// <summary>Commands that act on named jobs of a store: -Job (or Name from the pipeline) and -Store.</summary>
    public abstract class JobSelectionCommand : BatchOpsCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Name")]
        [ArgumentCompleter(typeof(JobNameCompleter))]
        public string[] Job { get; set; } = new string[0];

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? Store { get; set; }
    }
}
