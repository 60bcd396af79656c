namespace BatchOps
{
    /// <summary>The verdict of a health sample (healthy / degraded / critical).</summary>
    public enum HealthStatus
    {
        /// <summary>Every figure within its thresholds.</summary>
        Healthy,
        /// <summary>Something needs watching; processing goes on.</summary>
        Degraded,
        /// <summary>Something needs attention now (memory nearly gone, no progress, data lost).</summary>
        Critical,
    }
}
