using System.Threading;
using System.Threading.Tasks;

namespace BatchOps.Engine.Processing
{
    /// <summary>
    /// Does the work for one item. Called from several worker threads at once (up to ThrottleLimit), so an
    /// implementation must be thread-safe. Returning a failed <see cref="ItemResult"/> and throwing both fail the
    /// attempt; the runner retries within the retry limit. Honour the cancellation token: it fires on timeout and on stop.
    /// </summary>
    public interface IItemProcessor
    {
        Task<ItemResult> ProcessAsync(ItemContext item, CancellationToken cancellationToken);
    }
}
