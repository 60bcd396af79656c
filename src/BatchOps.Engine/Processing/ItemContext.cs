namespace BatchOps.Engine.Processing
{
    /// <summary>What a processor gets for one attempt at one item.</summary>
    public sealed class ItemContext
    {
        public string Job { get; init; } = "";

        public long RunId { get; init; }

        public string Key { get; init; } = "";

        /// <summary>The payload stored with the item, as JSON (null if it has none).</summary>
        public string? Payload { get; init; }

        /// <summary>1 for the first attempt; counts attempts made by earlier runs too.</summary>
        public int Attempt { get; init; }

        /// <summary>Which worker (0 .. ThrottleLimit-1) runs the attempt: lets a processor keep per-worker state.</summary>
        public int Worker { get; init; }
    }
}
