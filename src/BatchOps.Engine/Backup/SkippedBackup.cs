namespace BatchOps.Engine.Backup
{
    /// <summary>A backup set passed over when looking for the one to restore, and why.</summary>
    public sealed class SkippedBackup
    {
        public SkippedBackup(string name, string reason)
        {
            Name = name;
            Reason = reason;
        }

        public string Name { get; }

        public string Reason { get; }
    }
}
