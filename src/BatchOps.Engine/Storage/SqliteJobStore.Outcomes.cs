using System.Collections.Generic;
using Microsoft.Data.Sqlite;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// Records a commit's outcomes, each by one fenced UPDATE (same id, same lease token, still running). The most
    /// common outcome, a success with no result text, has a statement of its own with only the parameters it needs,
    /// set through parameter objects kept at hand rather than looked up by name for every item: the driver binds every
    /// parameter of a statement on each execution, so each one left out is work saved per item.
    /// </summary>
    public sealed partial class SqliteJobStore
    {
        private PlainSuccessStatement? _plainSuccess;

        /// <summary>Writes every outcome whose lease is still ours; <paramref name="accepted"/>[i] says whether outcome i was.</summary>
        private void RecordOutcomes(IReadOnlyList<ItemOutcome> outcomes, long now, bool[] accepted)
        {
            for (int i = 0; i < outcomes.Count; i++)
            {
                ItemOutcome outcome = outcomes[i];
                accepted[i] = outcome.Kind == OutcomeKind.Succeeded && outcome.Result == null && outcome.Error == null
                    ? RecordPlainSuccess(outcome, now)
                    : RecordOutcome(outcome, now);
            }
        }

        /// <summary>What <see cref="RecordOutcome"/> writes for a success without result text, with fewer parameters.</summary>
        private bool RecordPlainSuccess(ItemOutcome outcome, long now)
        {
            PlainSuccessStatement s = _plainSuccess ??= new PlainSuccessStatement(Prepared(
                "commit.succeed",
                "UPDATE items SET status = " + ((int)ItemStatus.Succeeded).ToString(System.Globalization.CultureInfo.InvariantCulture) + ", result = NULL, last_error = NULL, " +
                "started_ms = COALESCE(@started, started_ms), finished_ms = @finished, duration_ms = @duration, finished_batch = @batch, lease_token = NULL, lease_expires_ms = NULL " +
                "WHERE id = @id AND lease_token = @token AND status = 1",
                "@started", "@finished", "@duration", "@batch", "@id", "@token"));
            s.Started.Value = outcome.StartedMs is long started ? started : (object)System.DBNull.Value;
            s.Finished.Value = outcome.FinishedMs ?? now;
            s.Duration.Value = outcome.DurationMs;
            s.Batch.Value = outcome.Batch is long batch ? batch : (object)System.DBNull.Value;
            s.Id.Value = outcome.ItemId;
            s.Token.Value = outcome.LeaseToken;
            return s.Command.ExecuteNonQuery() == 1;
        }

        private sealed class PlainSuccessStatement
        {
            public PlainSuccessStatement(SqliteCommand command)
            {
                Command = command;
                Started = command.Parameters["@started"];
                Finished = command.Parameters["@finished"];
                Duration = command.Parameters["@duration"];
                Batch = command.Parameters["@batch"];
                Id = command.Parameters["@id"];
                Token = command.Parameters["@token"];
            }

            public SqliteCommand Command { get; }

            public SqliteParameter Started { get; }

            public SqliteParameter Finished { get; }

            public SqliteParameter Duration { get; }

            public SqliteParameter Batch { get; }

            public SqliteParameter Id { get; }

            public SqliteParameter Token { get; }
        }
    }
}
