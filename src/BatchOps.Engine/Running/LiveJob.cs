using System.Threading;
using BatchOps.Engine.Storage;

namespace BatchOps.Engine.Running
{
    /// <summary>
    /// The job's counters as the store last gave them to a run. Items can be added while a run works (another
    /// process, a scheduled feed, a continuous run's source), so the run's totals, percentages and target follow
    /// the job as it grows instead of the job as it was when the run started.
    /// </summary>
    internal sealed class LiveJob
    {
        private readonly IJobStore _store;
        private BatchJob _current;

        public LiveJob(IJobStore store, BatchJob baseline)
        {
            _store = store;
            _current = baseline;
        }

        public BatchJob Current => Volatile.Read(ref _current);

        /// <summary>Reads the counters again. A job that is gone keeps its last counters: the run learns of that elsewhere.</summary>
        public BatchJob Refresh()
        {
            BatchJob? job = _store.FindJob(Current.Name);
            if (job != null)
            {
                Volatile.Write(ref _current, job);
            }

            return Current;
        }
    }
}
