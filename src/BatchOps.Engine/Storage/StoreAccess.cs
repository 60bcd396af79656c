namespace BatchOps.Engine.Storage
{
    /// <summary>How a command means to use a store.</summary>
    public enum StoreAccess
    {
        /// <summary>Read and write; create the store if it does not exist (Start-BatchRun, Add-BatchItem).</summary>
        ReadWrite,

        /// <summary>Read and write an existing store; a missing one is an error (Reset-, Clear-, Remove-).</summary>
        ReadWriteExisting,

        /// <summary>Only read an existing store (Get- commands).</summary>
        ReadOnly,
    }
}
