using System.Threading.Tasks;
using BatchOps.Engine.Storage;

namespace BatchOps.Engine.Running
{
    /// <summary>What the recorder is told: what a message carries.</summary>
    internal enum RecorderMessageKind
    {
        Outcome,
        Outcomes,
        Retry,
        Note,
        Flush,
    }

    /// <summary>One message to the recorder: an outcome, a worker's group of outcomes, a retry, an error note, or a flush.</summary>
    internal readonly struct RecorderMessage
    {
        public RecorderMessage(ItemOutcome outcome, long batch)
        {
            Kind = RecorderMessageKind.Outcome;
            Outcome = outcome;
            Retry = null;
            Batch = batch;
        }

        public RecorderMessage(OutcomeGroup group)
        {
            Kind = RecorderMessageKind.Outcomes;
            Outcome = null;
            Retry = null;
            Batch = 0;
            Group = group;
        }

        public RecorderMessage(ItemRetry retry)
        {
            Kind = RecorderMessageKind.Retry;
            Outcome = null;
            Retry = retry;
            Batch = 0;
        }

        public RecorderMessage(ErrorNote note)
        {
            Kind = RecorderMessageKind.Note;
            Outcome = null;
            Retry = null;
            Batch = 0;
            Note = note;
        }

        public RecorderMessage(TaskCompletionSource<bool> flushed)
        {
            Kind = RecorderMessageKind.Flush;
            Outcome = null;
            Retry = null;
            Batch = 0;
            Flushed = flushed;
        }

        public RecorderMessageKind Kind { get; }

        /// <summary>Outcomes a worker finished back to back (see <see cref="OutcomeGroup"/>).</summary>
        public OutcomeGroup? Group { get; }

        public ErrorNote? Note { get; }

        /// <summary>Completed once everything written before it is committed (a quiet point).</summary>
        public TaskCompletionSource<bool>? Flushed { get; }

        public ItemOutcome? Outcome { get; }

        public ItemRetry? Retry { get; }

        public long Batch { get; }
    }
}
