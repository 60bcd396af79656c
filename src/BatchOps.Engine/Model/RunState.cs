namespace BatchOps
{
    /// <summary>The state of one run of a job, as written in its checkpoint.</summary>
    public enum RunState
    {
        /// <summary>The run is processing items (or its process died and nobody has noticed yet).</summary>
        Running,

        /// <summary>The run ended because it had nothing left to do, or reached its target or item limit.</summary>
        Completed,

        /// <summary>The run was stopped (Ctrl+C, Stop-BatchRun, -MaxDuration) and released what it had not finished.</summary>
        Stopped,

        /// <summary>The run could not go on (for example the store could not be written); see its message.</summary>
        Failed,

        /// <summary>The run's process died without writing a final checkpoint; a later run took back its items.</summary>
        Crashed,

        /// <summary>
        /// Shown, never stored: the run is recorded as Running, but its process on this machine is gone (killed
        /// without a final checkpoint). The next run on this machine marks it Crashed and takes its items back.
        /// </summary>
        Abandoned,
    }
}
