using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using Xunit;

namespace BatchOps.Module.Tests;

public class StopTests
{
    [Fact]
    public async Task Stopping_the_pipeline_mid_run_releases_unfinished_items_and_writes_the_checkpoint()
    {
        using var session = new PowerShellSession();
        string started = session.File("started");
        Directory.CreateDirectory(started);
        using PowerShell shell = session.NewShell();

        // Items 1 and 2 finish at once; items 3 and 4 start and then work "forever" (until stopped). Each item
        // marks its start in a file of its own: two runspaces appending to one file can collide.
        shell.AddScript(
            "1..20 | Start-BatchRun -Job slow -BatchSize 2 -ThrottleLimit 2 -ScriptBlock { " +
            $"[System.IO.File]::WriteAllText([System.IO.Path]::Combine('{started}', \"$_.started\"), ''); " +
            "if ($_ -gt 2) { while ($true) { [System.Threading.Thread]::Sleep(20) } }; $_ }");
        IAsyncResult running = shell.BeginInvoke();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (Directory.GetFiles(started).Length < 4)
        {
            if (DateTime.UtcNow > deadline)
            {
                using var look = new PowerShellSession(session.Folder);
                string state = string.Join("; ", look.Run("Get-BatchItem -Job slow | ForEach-Object { '{0}:{1}:{2}:{3}' -f $_.Key, $_.Status, $_.Attempts, $_.LastError }").Output);
                Assert.Fail($"items 3 and 4 never started; started: {string.Join(",", Directory.GetFiles(started).Select(Path.GetFileName))}; items: {state}; shell: {shell.InvocationStateInfo.State} {shell.InvocationStateInfo.Reason}");
            }

            await Task.Delay(20);
        }

        shell.Stop(); // what Ctrl+C does: StopProcessing, then the pipeline unwinds
        Assert.Throws<PipelineStoppedException>(() => shell.EndInvoke(running));

        PSObject checkpoint = session.Run("Get-BatchCheckpoint -Job slow").Single();
        Assert.Equal("Stopped", checkpoint.Properties["State"].Value.ToString());
        Assert.Equal("Cancelled", checkpoint.Properties["StopReason"].Value.ToString());
        PSObject job = session.Run("Get-BatchJob slow").Single();
        Assert.Equal(2L, job.Properties["Succeeded"].Value);
        Assert.Equal(0L, job.Properties["Running"].Value); // nothing left leased
        Assert.Equal(18L, job.Properties["Pending"].Value);
        Assert.Empty(session.Run("Get-BatchItem -Job slow -Status Pending | Where-Object Attempts -ne 0").Output); // interrupted attempts given back

        // The same command resumes and finishes the job.
        PSObject resumed = session.Run("Start-BatchRun -Job slow -ScriptBlock { $_ }").Single();
        Assert.Equal(18L, resumed.Properties["Succeeded"].Value);
    }

    [Fact]
    public async Task Ctrl_C_still_writes_the_log_s_final_line_and_RunFinished()
    {
        using var session = new PowerShellSession();
        string started = session.File("started.txt");
        using PowerShell shell = session.NewShell();
        shell.AddScript(
            "1..5 | Start-BatchRun -Job cancelled -BatchSize 1 -ThrottleLimit 1 -LogPath logs -ScriptBlock { " +
            $"[System.IO.File]::WriteAllText('{started}', ''); while ($true) {{ [System.Threading.Thread]::Sleep(20) }} }}");
        IAsyncResult running = shell.BeginInvoke();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!File.Exists(started))
        {
            Assert.True(DateTime.UtcNow < deadline, "the first item never started");
            await Task.Delay(20);
        }

        shell.Stop();
        Assert.Throws<PipelineStoppedException>(() => shell.EndInvoke(running));

        string logs = session.File("logs");
        string text = File.ReadAllText(Directory.GetFiles(logs, "batchops_*.log").Single());
        Assert.Contains("Run 1 of 'cancelled' Stopped (Cancelled)", text);
        Assert.Contains(File.ReadAllLines(Directory.GetFiles(logs, "batchops_*.jsonl").Single()), l => l.Contains("\"event\":\"RunFinished\""));
    }
}
