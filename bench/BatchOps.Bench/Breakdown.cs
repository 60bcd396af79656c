using System;
using System.Globalization;
using BatchOps.Engine.Diagnostics;

/// <summary>Where a run's time went (RunProfile), as one line per phase.</summary>
internal static class Breakdown
{
    public static string Describe(int batchSize, int items, TimeSpan wall, TimeSpan cpu)
    {
        (double claimMs, long claims, long claimed) = RunProfile.Read(RunProfile.Phase.Claim);
        (double executeMs, _, long executed) = RunProfile.Read(RunProfile.Phase.Execute);
        (double commitMs, long commits, long committed) = RunProfile.Read(RunProfile.Phase.Commit);
        (double recordMs, _, _) = RunProfile.Read(RunProfile.Phase.Record);
        (double storeClaimMs, _, _) = RunProfile.Read(RunProfile.Phase.StoreClaim);
        (double storeCommitMs, _, _) = RunProfile.Read(RunProfile.Phase.StoreCommit);
        double wallMs = wall.TotalMilliseconds;
        return string.Format(
            CultureInfo.InvariantCulture,
            "batch {0:N0}, {1:N0} items in {2:N0} ms\n" +
            "  claim    {3,6:N0} ms ({4,4:P0} of the run) {5:N0} claims of {6:N0} items, {7:N2} µs an item\n" +
            "  execute  {8,6:N0} ms summed over workers, {9:N2} µs an item\n" +
            "  commit   {10,6:N0} ms ({11,4:P0}) {12:N0} commits of {13:N0} outcomes, {14:N2} µs an item\n" +
            "  recorder {15,6:N0} ms ({16,4:P0}) besides its commits (events, counting), {17:N2} µs an item\n" +
            "  inside the store's lock: claims {18:N0} ms, commits {19:N0} ms, together {20:P0} of the run; process CPU {21:N0} ms ({22:N2} cores busy)",
            batchSize,
            items,
            wallMs,
            claimMs,
            claimMs / wallMs,
            claims,
            claims == 0 ? 0 : (double)claimed / claims,
            claimed == 0 ? 0 : claimMs * 1000 / claimed,
            executeMs,
            executed == 0 ? 0 : executeMs * 1000 / executed,
            commitMs,
            commitMs / wallMs,
            commits,
            commits == 0 ? 0 : (double)committed / commits,
            committed == 0 ? 0 : commitMs * 1000 / committed,
            recordMs - commitMs,
            (recordMs - commitMs) / wallMs,
            committed == 0 ? 0 : (recordMs - commitMs) * 1000 / committed,
            storeClaimMs,
            storeCommitMs,
            (storeClaimMs + storeCommitMs) / wallMs,
            cpu.TotalMilliseconds,
            cpu.TotalMilliseconds / wallMs);
    }
}
