using System;
using System.Collections.Generic;

namespace BatchOps.Engine.Storage.Postgres
{
    /// <summary>STUB: the job catalog of a PostgreSQL store.</summary>
    internal sealed class PostgresJobCatalog : IJobCatalog
    {
        private readonly PostgresSession _s;

        public PostgresJobCatalog(PostgresSession session) => _s = session;

        public BatchJob? FindJob(string name) => throw new NotImplementedException();

        public BatchJob GetJob(string name) => throw new NotImplementedException();

        public BatchJob GetOrCreateJob(string name) => throw new NotImplementedException();

        public IReadOnlyList<BatchJob> GetJobs() => throw new NotImplementedException();

        public EnqueueResult Enqueue(BatchJob job, IReadOnlyList<NewItem> items) => throw new NotImplementedException();

        public bool RemoveJob(BatchJob job) => throw new NotImplementedException();

        public long ClearJob(BatchJob job) => throw new NotImplementedException();

        public ResetResult ResetItems(BatchJob job, IReadOnlyList<string> keys) => throw new NotImplementedException();

        public long ResetItems(BatchJob job, ItemStatus status) => throw new NotImplementedException();

        public IReadOnlyList<BatchItem> GetItems(BatchJob job, ItemQuery query) => throw new NotImplementedException();

        public IReadOnlyList<FinishedBatch> GetFinishedBatches(BatchJob job, long? runId, long? batch, ItemStatus? status) => throw new NotImplementedException();

        public long ReturnFinishedToPending(BatchJob job, long afterMs, long beforeMs) => throw new NotImplementedException();
    }
}
