using System.Collections.Generic;
using BatchOps.Engine.Health;

namespace BatchOps.Engine.Storage.Postgres
{
    /// <summary>
    /// Job statistics of a PostgreSQL store: the error log, recent activity for health checks, the run history, and
    /// the lasting vector-store baselines of a job, with the same SQL as on SQLite (<see cref="StatisticsQueries"/>).
    /// A run on another host is shown Abandoned by the age of its heartbeat (on the server's clock), as recovery judges it.
    /// </summary>
    internal sealed class PostgresJobStatistics : IJobStatistics
    {
        private readonly PostgresSession _s;
        private readonly PostgresErrorLog _errors;
        private readonly StatisticsQueries _queries;

        public PostgresJobStatistics(PostgresSession session, PostgresErrorLog errors)
        {
            _s = session;
            _errors = errors;
            _queries = new StatisticsQueries(StoreSql.For(session));
        }

        public IReadOnlyList<ErrorEntry> GetErrors(BatchJob job, int last) => _s.Guarded(() => _errors.Latest(job.Id, last));

        public JobActivity GetRecentActivity(BatchJob job, long sinceMs, int minItems) =>
            _s.Guarded(() => _queries.GetRecentActivity(job.Id, sinceMs, minItems, _errors.Latest(job.Id, 5)));

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
