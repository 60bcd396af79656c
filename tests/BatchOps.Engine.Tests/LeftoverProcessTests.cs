using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Storage;
using Xunit;
using Xunit.Abstractions;

namespace BatchOps.Engine.Tests;

/// <summary>
/// No orphans, no doubles: what a killed runner started is killed by the next run before that run starts its items
/// again. The children here hold a lock on their item (flock on a file per key, inherited by their own child), so an
/// item started while an earlier attempt of it still runs writes "overlap" instead of waiting.
/// </summary>
public class LeftoverProcessTests
{
    private const string ChildScript = """
        exec 9>"$LOCKS/$BATCHOPS_KEY.lock"
        flock -n 9 || echo "overlap $BATCHOPS_KEY" >> "$LOG"
        echo "start $BATCHOPS_KEY $$" >> "$LOG"
        sleep "$CHILD_SLEEP"
        echo "end $BATCHOPS_KEY $$" >> "$LOG"
        """;

    private readonly ITestOutputHelper _output;

    public LeftoverProcessTests(ITestOutputHelper output) => _output = output;

    [LinuxFact]
    public void Kill_ends_exactly_the_processes_that_carry_the_mark()
    {
        string mark = "999999-" + DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        using Process marked = Sleep(RunnerMark.Variable, mark);
        using Process longer = Sleep(RunnerMark.Variable, mark + "1"); // not the same runner
        using Process other = Sleep("OTHER_" + RunnerMark.Variable, mark);
        try
        {
            Assert.Equal(1, LeftoverProcesses.Kill(mark));
            Assert.True(marked.WaitForExit(10_000), "the marked process should be gone");
            Assert.False(longer.HasExited);
            Assert.False(other.HasExited);
            Assert.Equal(0, LeftoverProcesses.Kill(mark));
        }
        finally
        {
            longer.Kill();
            other.Kill();
        }
    }

    [LinuxFact]
    public async Task The_next_run_kills_what_a_killed_run_left_running_before_it_starts_those_items_again()
    {
        using var folder = new TempFolder();
        string store = folder.File("orphans.db");
        string log = folder.File("executions.log");
        string locks = Directory.CreateDirectory(folder.File("locks")).FullName;
        string token = Guid.NewGuid().ToString("N");
        File.WriteAllText(log, "");

        // Run 1: three items whose children (sh, and the sleep it starts) would work for five minutes.
        using (Process first = StartCommandHost(store, feed: 3, sleepSeconds: 300, log, locks, token))
        {
            await Processors.WaitUntil(() => first.HasExited || Lines(log).Count(l => l.StartsWith("start ", StringComparison.Ordinal)) == 3, "three items to start");
            if (first.HasExited)
            {
                Assert.Fail("the first run ended by itself: " + await first.StandardError.ReadToEndAsync());
            }

            first.Kill(); // SIGKILL to the runner only: its children are not told
            await first.WaitForExitAsync();
        }

        // The killed run's 3 shells and the 3 sleeps they start (a shell may fork its sleep just after the kill).
        await Processors.WaitUntil(() => ProcessesWithToken(token).Count >= 6, "the killed run's 3 shells and 3 sleeps to be running", 20);
        Assert.Equal(6, ProcessesWithToken(token).Count);

        // Run 2 (children that do not sleep): recovery kills the leftovers, then the items run again.
        string said;
        using (Process second = StartCommandHost(store, feed: 0, sleepSeconds: 0, log, locks, token))
        {
            Task<string> output = second.StandardOutput.ReadToEndAsync();
            string errors = await second.StandardError.ReadToEndAsync();
            await second.WaitForExitAsync();
            said = await output;
            Assert.True(second.ExitCode == 0, $"exit {second.ExitCode}: {said} {errors}");
        }

        _output.WriteLine(said);
        List<string> lines = Lines(log);
        _output.WriteLine(string.Join("\n", lines));
        Assert.DoesNotContain(lines, l => l.StartsWith("overlap", StringComparison.Ordinal));
        Assert.Empty(ProcessesWithToken(token));
        Assert.Contains("returned to the queue", said);
        Assert.Matches(@"\b6 process\(es\) it had started and left running were killed", said);
        var starts = lines.Where(l => l.StartsWith("start ", StringComparison.Ordinal)).Select(l => l.Split(' ')).ToList();
        var ends = lines.Where(l => l.StartsWith("end ", StringComparison.Ordinal)).Select(l => l.Split(' ')).ToList();
        Assert.Equal(6, starts.Count); // each item started once by each run
        Assert.Equal(3, ends.Count); // and ended once: the killed attempts never went on
        Assert.Equal(starts.Skip(3).Select(s => (s[1], s[2])).OrderBy(s => s), ends.Select(e => (e[1], e[2])).OrderBy(e => e));

        using var check = SqliteJobStore.Open(store);
        BatchJob job = check.GetJob("orphans");
        Assert.Equal(3, job.Succeeded);
        Stores.AssertCountersMatchItems(check, "orphans");
    }

    private static List<string> Lines(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    private static Process StartCommandHost(string store, int feed, int sleepSeconds, string log, string locks, string token)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in new[]
                 {
                     Path.Combine(AppContext.BaseDirectory, "BatchOps.Engine.TestHost.dll"), "command-run", store, "orphans",
                     feed.ToString(System.Globalization.CultureInfo.InvariantCulture), "3", "/bin/sh", "-c", ChildScript,
                 })
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["LOG"] = log;
        info.Environment["LOCKS"] = locks;
        info.Environment["CHILD_SLEEP"] = sleepSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["ORPHAN_TEST_TOKEN"] = token;
        return Process.Start(info)!;
    }

    private static Process Sleep(string variable, string value)
    {
        var info = new ProcessStartInfo("sleep", "300") { UseShellExecute = false };
        info.Environment[variable] = value;
        return Process.Start(info)!;
    }

    /// <summary>The processes whose environment holds ORPHAN_TEST_TOKEN=token (the test host and everything it started).</summary>
    private static List<int> ProcessesWithToken(string token)
    {
        byte[] wanted = Encoding.UTF8.GetBytes("ORPHAN_TEST_TOKEN=" + token);
        var found = new List<int>();
        foreach (string dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid))
            {
                continue;
            }

            try
            {
                string state = File.ReadAllText(Path.Combine(dir, "stat"));
                if (state.Substring(state.LastIndexOf(')') + 2, 1) == "Z")
                {
                    continue;
                }

                byte[] environ = File.ReadAllBytes(Path.Combine(dir, "environ"));
                if (Encoding.UTF8.GetString(environ).Split('\0').Contains(Encoding.UTF8.GetString(wanted)))
                {
                    found.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
            }
        }

        return found;
    }
}
