namespace BatchOps.Engine.Errors
{
    /// <summary>
    /// The kind of an engine error. Each name is also a PowerShell ErrorCategory name, so that the cmdlets can map one
    /// to the other by name without the engine referencing PowerShell.
    /// </summary>
    public enum BatchOpsErrorCategory
    {
        InvalidArgument,
        ObjectNotFound,
        PermissionDenied,
        InvalidData,
        InvalidOperation,
        ResourceUnavailable,
        ResourceBusy,
        WriteError,
        OperationStopped,
        OperationTimeout,
        InvalidResult,
        ResourceExists,
    }
}
