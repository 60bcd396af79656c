using System.Management.Automation;
using BatchOps.Engine;
using BatchOps.Engine.Storage;
using BatchOps.Infrastructure;
using BatchOps.Engine.Errors;

namespace BatchOps.Commands
{
    [Cmdlet(VerbsCommon.Add, "BatchItem")]
    [OutputType(typeof(EnqueueResult))]
    public sealed class AddBatchItemCommand : BatchOpsCmdlet
    {
        private ItemFeeder? _feeder;

        [Parameter(Mandatory = true, Position = 0)]
        [ArgumentCompleter(typeof(JobNameCompleter))]
        public string Job { get; set; } = "";

        [Parameter(Mandatory = true, ValueFromPipeline = true)]
        [AllowNull]
        public PSObject? InputObject { get; set; }

        [Parameter]
        public object? Key { get; set; }

        [Parameter]
        public string? Store { get; set; }

        protected override void BeginProcessing()
        {
            try
            {
                JobNames.Validate(Job);
                JobStoreFactory.CheckLocation(ResolveStorePath(Store)); // refuse a bad -Store before reading input
                _feeder = new ItemFeeder(() => OpenStore(Store, StoreAccess.ReadWrite), Job, Key);
            }
            catch (BatchOpsException e)
            {
                ThrowTerminating(e);
            }
        }

        protected override void ProcessRecord()
        {
            try
            {
                _feeder!.AddInput(InputObject, fromPipeline: MyInvocation.ExpectingInput);
            }
            catch (BatchOpsException e)
            {
                ThrowTerminating(e);
            }
        }

        protected override void EndProcessing()
        {
            try
            {
                EnqueueResult? result = _feeder!.Complete();
                if (result != null)
                {
                    WriteObject(result);
                }
            }
            catch (BatchOpsException e)
            {
                ThrowTerminating(e);
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _feeder?.Dispose(); // before the store closes
            }

            base.Dispose(disposing);
        }
    }
}
