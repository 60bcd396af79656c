using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using BatchOps.Engine.Storage;
using Microsoft.Data.Sqlite;

/// <summary>
/// The floor: the least SQL that does the same work as a run, through Microsoft.Data.Sqlite on this machine, with
/// nothing else (no runner, no events, no counters, no checkpoints). The items table and its partial indexes are the
/// store's own (every migration of SqliteSchema), WAL, synchronous=NORMAL. Each claim takes the next 1,000 pending
/// items in one transaction (a SELECT, then one UPDATE over their id range, as the store does; the runner too claims
/// several batches at once); then one transaction records them: each outcome one fenced UPDATE (id, lease token,
/// still running), and one row in the batches table per <c>batchSize</c> items (the checkpoint after every batch).
/// BatchOps' items/s divided by this is how close the engine is to what SQLite itself allows here.
/// </summary>
internal static class SqlFloor
{
    private const int ItemsPerTransaction = 1_000;

    /// <summary>Time in claims and in recording outcomes during the last measurement (Stopwatch ticks).</summary>
    public static long ClaimTicks, FinishTicks;

    /// <summary>
    /// Items per second, and CPU time per item in microseconds (steadier than wall time on a busy machine): the median
    /// of three drains of fresh stores, since one drain varies by a third from one second to the next.
    /// </summary>
    public static (double Rate, double CpuMicroseconds) Measure(int items, int batchSize)
    {
        var runs = new[] { MeasureOnce(items, batchSize), MeasureOnce(items, batchSize), MeasureOnce(items, batchSize) };
        Array.Sort(runs, (a, b) => a.Rate.CompareTo(b.Rate));
        return runs[1];
    }

    private static (double Rate, double CpuMicroseconds) MeasureOnce(int items, int batchSize)
    {
        ClaimTicks = 0;
        FinishTicks = 0;
        string folder = Path.Combine(Path.GetTempPath(), "batchops-floor-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, "floor.db"), Pooling = false }.ToString());
            db.Open();
            Run(db, "PRAGMA journal_mode = WAL");
            Run(db, "PRAGMA synchronous = NORMAL");
            Run(db, "PRAGMA temp_store = MEMORY");
            foreach (string migration in SqliteSchema.Migrations)
            {
                Run(db, migration);
            }

            Fill(db, items);
            TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            long done = Drain(db, batchSize);
            clock.Stop();
            cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            if (done != items)
            {
                throw new InvalidOperationException($"The floor finished {done} of {items} items.");
            }

            return (items / clock.Elapsed.TotalSeconds, cpu.TotalMilliseconds * 1000 / items);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void Fill(SqliteConnection db, int items)
    {
        Run(db, "INSERT INTO jobs (id, name, created_ms, updated_ms) VALUES (1, 'floor', 0, 0)");
        Run(db, "INSERT INTO runs (id, job_id, state, started_ms, updated_ms, heartbeat_ms) VALUES (1, 1, 'Running', 0, 0, 0)");
        using SqliteTransaction tx = db.BeginTransaction();
        using SqliteCommand insert = db.CreateCommand();
        insert.CommandText = "INSERT INTO items (job_id, key, payload, created_ms) VALUES (1, @key, '\"payload\"', 0)";
        SqliteParameter key = insert.Parameters.Add("@key", SqliteType.Text);
        for (int i = 0; i < items; i++)
        {
            key.Value = "item-" + i.ToString(CultureInfo.InvariantCulture);
            insert.ExecuteNonQuery();
        }

        tx.Commit();
    }

    private static long Drain(SqliteConnection db, int batchSize)
    {
        using SqliteCommand begin = Command(db, "BEGIN IMMEDIATE");
        using SqliteCommand commit = Command(db, "COMMIT");
        using SqliteCommand find = Command(db, "SELECT id, key, payload, attempts FROM items WHERE job_id = 1 AND status = 0 ORDER BY id LIMIT @n", "@n");
        using SqliteCommand take = Command(
            db,
            "UPDATE items SET status = 1, lease_run = 1, lease_token = @token, lease_expires_ms = @expires, attempts = attempts + 1, started_ms = @now " +
            "WHERE job_id = 1 AND status = 0 AND id BETWEEN @first AND @last",
            "@token", "@expires", "@now", "@first", "@last");
        using SqliteCommand batchRow = Command(
            db,
            "INSERT INTO batches (run_id, number, items, succeeded, failed, released, started_ms, completed_ms) VALUES (1, @number, @items, @items, 0, 0, @now, @now)",
            "@number", "@items", "@now");
        using SqliteCommand finish = Command(
            db,
            "UPDATE items SET status = 2, finished_ms = @now, duration_ms = 0, lease_token = NULL, lease_expires_ms = NULL WHERE id = @id AND lease_token = @token AND status = 1",
            "@now", "@id", "@token");

        var claimed = new List<(long Id, long Token)>();
        long done = 0;
        long token = 0;
        long batches = 0;
        while (true)
        {
            long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            token++;
            long t0 = Stopwatch.GetTimestamp();
            begin.ExecuteNonQuery();
            find.Parameters[0].Value = ItemsPerTransaction;
            int before = claimed.Count;
            using (SqliteDataReader reader = find.ExecuteReader())
            {
                while (reader.Read())
                {
                    claimed.Add((reader.GetInt64(0), token));
                    _ = reader.GetString(1);
                    _ = reader.IsDBNull(2) ? null : reader.GetString(2);
                    _ = reader.GetInt32(3);
                }
            }

            if (claimed.Count > before)
            {
                take.Parameters[0].Value = token;
                take.Parameters[1].Value = now + 600_000;
                take.Parameters[2].Value = now;
                take.Parameters[3].Value = claimed[before].Id;
                take.Parameters[4].Value = claimed[claimed.Count - 1].Id;
                take.ExecuteNonQuery();
            }

            commit.ExecuteNonQuery();
            ClaimTicks += Stopwatch.GetTimestamp() - t0;
            bool drained = claimed.Count == before;
            if (claimed.Count > 0)
            {
                long t1 = Stopwatch.GetTimestamp();
                begin.ExecuteNonQuery();
                for (int i = 0; i < claimed.Count; i++)
                {
                    finish.Parameters[0].Value = now;
                    finish.Parameters[1].Value = claimed[i].Id;
                    finish.Parameters[2].Value = claimed[i].Token;
                    done += finish.ExecuteNonQuery();
                    if ((i + 1) % batchSize == 0 || i == claimed.Count - 1)
                    {
                        batchRow.Parameters[0].Value = ++batches;
                        batchRow.Parameters[1].Value = (i % batchSize) + 1;
                        batchRow.Parameters[2].Value = now;
                        batchRow.ExecuteNonQuery();
                    }
                }

                commit.ExecuteNonQuery();
                FinishTicks += Stopwatch.GetTimestamp() - t1;
                claimed.Clear();
            }

            if (drained)
            {
                return done;
            }
        }
    }

    private static SqliteCommand Command(SqliteConnection db, string sql, params string[] parameters)
    {
        SqliteCommand cmd = db.CreateCommand();
        cmd.CommandText = sql;
        foreach (string name in parameters)
        {
            cmd.Parameters.Add(new SqliteParameter(name, DBNull.Value));
        }

        cmd.Prepare();
        return cmd;
    }

    private static void Run(SqliteConnection db, string sql)
    {
        using SqliteCommand cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
