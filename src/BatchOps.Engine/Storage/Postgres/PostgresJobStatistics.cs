using System;
using System.Collections.Generic;
using BatchOps.Engine.Health;

namespace BatchOps.Engine.Storage.Postgres
{
    /// <summary>STUB: the job statistics of a PostgreSQL store.</summary>
    internal sealed class PostgresJobStatistics : IJobStatistics
    {
        private readonly PostgresSession _s;

        public PostgresJobStatistics(PostgresSession session, PostgresErrorLog errors) => _s = session;

        public IReadOnlyList<ErrorEntry> GetErrors(BatchJob job, int last) => throw new NotImplementedException();

        public JobActivity GetRecentActivity(BatchJob job, long sinceMs, int minItems) => throw new NotImplementedException();

        public IReadOnlyList<BatchRun> GetRuns(BatchJob job, RunQuery query) => throw new NotImplementedException();

        public IReadOnlyList<long> RemoveRuns(BatchJob job, IReadOnlyList<long> runIds) => throw new NotImplementedException();

        public VectorStoreReading? GetVectorStoreBaseline(BatchJob job, IReadOnlyList<string> paths) => throw new NotImplementedException();

        public void KeepVectorStoreBaseline(BatchJob job, VectorStoreReading reading) => throw new NotImplementedException();

        public void ForgetVectorStoreBaselines(BatchJob job) => throw new NotImplementedException();
    }
}
