using System;
using System.Threading.Tasks;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// A store that says when a job changed (items added, a stop, suspend or resume asked), so that a waiting run
    /// wakes at once instead of at its next look. A store without it (SQLite) is looked at on a timer.
    /// </summary>
    public interface IJobChangeFeed
    {
        /// <summary>Starts listening for changes of the job; the listener ends when disposed.</summary>
        IJobChangeListener Listen(long jobId);
    }

    /// <summary>Changes of one job as they are told.</summary>
    public interface IJobChangeListener : IDisposable
    {
        /// <summary>Completes at the next change of the job, or at once when one was told since the last call.</summary>
        Task NextAsync();
    }
}
