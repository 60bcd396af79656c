using System;
using System.Threading;
using System.Threading.Tasks;

namespace BatchOps.Engine.Processing
{
    /// <summary>Runs a .NET delegate per item: for tests, benchmarks and hosts that embed the engine.</summary>
    public sealed class DelegateProcessor : IItemProcessor
    {
        private readonly Func<ItemContext, CancellationToken, Task<ItemResult>> _process;

        public DelegateProcessor(Func<ItemContext, CancellationToken, Task<ItemResult>> process)
        {
            _process = process ?? throw new ArgumentNullException(nameof(process));
        }

        /// <summary>A processor for synchronous work; an exception fails the attempt.</summary>
        public static DelegateProcessor FromSync(Func<ItemContext, ItemResult> process) =>
            new DelegateProcessor((item, _) => Task.FromResult(process(item)));

        public Task<ItemResult> ProcessAsync(ItemContext item, CancellationToken cancellationToken) => _process(item, cancellationToken);
    }
}
