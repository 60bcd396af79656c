namespace BatchOps
{
    /// <summary>Why a run stopped claiming work.</summary>
    public enum StopReason
    {
        /// <summary>The run has not stopped.</summary>
        None,

        /// <summary>No pending item was left for this run.</summary>
        Drained,

        /// <summary>The job reached -TargetPercent.</summary>
        TargetReached,

        /// <summary>The run processed -MaxItems items.</summary>
        MaxItemsReached,

        /// <summary>The run reached -MaxDuration.</summary>
        MaxDurationReached,

        /// <summary>The run was cancelled (Ctrl+C, Stop-Job, pipeline stop).</summary>
        Cancelled,

        /// <summary>Another process asked the run to stop (Stop-BatchRun).</summary>
        StopRequested,

        /// <summary>The run failed; see its message.</summary>
        Error,

        /// <summary>Too many attempts failed (-MaxFailureRatio): the circuit breaker opened; the rest stay pending.</summary>
        CircuitBroken,

        /// <summary>The backup taken before the first batch (-BackupFirst) failed, so nothing was processed.</summary>
        BackupFailed,

        /// <summary>The job was removed or cleared (by force) while the run was processing it.</summary>
        JobRemoved,
    }
}
