namespace BatchOps.Engine.Processing
{
    /// <summary>
    /// A processor that holds resources it can let go of while a continuous run sleeps (runspaces, clients, caches)
    /// and build again on its next item.
    /// </summary>
    public interface IReleasableProcessor
    {
        /// <summary>Called between items, never while one is being processed.</summary>
        void ReleaseResources();
    }
}
