using System.Collections.Generic;
using BatchOps.Engine.Health;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// Job statistics of a store, on every backend: the error log, recent activity for health checks, the run history,
    /// and the lasting vector-store baselines of a job (their SQL, the same on both backends, in
    /// <see cref="StatisticsQueries"/>). On a server store a run on another host is shown Abandoned by the age of its
    /// heartbeat (on the server's clock), as recovery judges it.
    /// </summary>
    internal sealed class JobStatistics : IJobStatistics
    {
        private readonly IStoreSession _s;
        private readonly StatisticsQueries _queries;

        public JobStatistics(IStoreSession session)
        {
            _s = session;
            _queries = new StatisticsQueries(session.Sql);
        }

        public IReadOnlyList<ErrorEntry> GetErrors(BatchJob job, int last) => _s.Guarded(() => _queries.LatestErrors(job.Id, last));

        public JobActivity GetRecentActivity(BatchJob job, long sinceMs, int minItems) =>
            _s.Guarded(() => _queries.GetRecentActivity(job.Id, sinceMs, minItems, _queries.LatestErrors(job.Id, 5)));

        public IReadOnlyList<BatchRun> GetRuns(BatchJob job, RunQuery query) => _s.Guarded(() => _queries.GetRuns(job, query));

        public IReadOnlyList<long> RemoveRuns(BatchJob job, IReadOnlyList<long> runIds)
        {
            _s.RequireWritable();
            return runIds.Count == 0 ? new long[0] : _s.Guarded(() => _s.Write(() => _queries.RemoveRuns(job.Id, runIds)));
        }

        public VectorStoreReading? GetVectorStoreBaseline(BatchJob job, IReadOnlyList<string> paths) => _s.Guarded(() => _queries.GetVectorStoreBaseline(job.Id, paths));

        public void KeepVectorStoreBaseline(BatchJob job, VectorStoreReading reading)
        {
            _s.RequireWritable();
            _s.Guarded(() => _s.Write(() => { _queries.KeepVectorStoreBaseline(job.Id, reading); return 0; }));
        }

        public void ForgetVectorStoreBaselines(BatchJob job)
        {
            _s.RequireWritable();
            _s.Guarded(() => _s.Write(() => { _queries.ForgetVectorStoreBaselines(job.Id); return 0; }));
        }
    }
}
