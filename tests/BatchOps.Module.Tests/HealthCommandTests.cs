using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using Xunit;

namespace BatchOps.Module.Tests;

/// <summary>Get-/Watch-BatchHealth, Suspend-/Resume-BatchRun, and Start-BatchRun's health and backup parameters.</summary>
public class HealthCommandTests
{
    [Fact]
    public void Get_BatchHealth_judges_a_job_and_takes_threshold_overrides()
    {
        using var session = new PowerShellSession();
        session.Run("1..40 | Start-BatchRun -Job eval -BatchSize 10 -RetryLimit 0 -ScriptBlock { if ($_ % 4 -eq 0) { throw 'HTTP 500' }; $_ } -ErrorAction SilentlyContinue").Single();

        PSObject sample = session.Run("Get-BatchHealth -Job eval").Single();
        Assert.Equal("BatchOps.HealthSample", sample.TypeNames[0]);
        Assert.Equal("Degraded", sample.Properties["Status"].Value.ToString());
        Assert.Equal("error rate 25% over 40 items", sample.Properties["Summary"].Value);
        Assert.Equal(25.0, sample.Properties["ErrorRate"].Value);
        Assert.NotNull(sample.Properties["Checkpoint"].Value);
        Assert.True((long)sample.Properties["ProcessMemoryMB"].Value > 0);

        PSObject relaxed = session.Run("Get-BatchJob eval | Get-BatchHealth -Threshold @{ ErrorRateDegradedPercent = 30; ErrorRateCriticalPercent = 60 }").Single();
        Assert.Equal("Healthy", relaxed.Properties["Status"].Value.ToString());

        Assert.Equal("HealthThresholdInvalid", session.Run("Get-BatchHealth -Job eval -Threshold @{ Memory = 5 }").FirstErrorId);
        Assert.Equal("JobNotFound", session.Run("Get-BatchHealth -Job nope").FirstErrorId);
    }

    [Fact]
    public void Watch_BatchHealth_writes_Count_samples_to_the_pipeline()
    {
        using var session = new PowerShellSession();
        session.Run("1..3 | Start-BatchRun -Job w -ScriptBlock { $_ }").Single();

        var samples = session.Run("Watch-BatchHealth -Job w -Interval 0.01 -Count 3 | ForEach-Object { $_.Status.ToString() }").Output;
        Assert.Equal(new[] { "Healthy", "Healthy", "Healthy" }, samples.Select(s => s.BaseObject).ToArray());

        Assert.Equal("HealthIntervalInvalid", session.Run("Watch-BatchHealth -Job w -Interval 0 -Count 1").FirstErrorId);
        Assert.Equal("AutoRestoreInvalid", session.Run("Watch-BatchHealth -AutoRestore -Count 1").FirstErrorId);
    }

    [Fact]
    public void Watch_BatchHealth_AutoRestore_restores_a_vector_store_that_lost_vectors()
    {
        using var session = new PowerShellSession();
        session.Run(BackupCommandTests.MakeStore).Output.ToList();
        session.Run("Backup-VectorStore -Path ./store/faiss_index.bin, ./store/document_data.pkl -Destination ./backups -Name docs").Single();

        // The second sample follows the loss that the pipeline causes after the first.
        var samples = session.Run(
            "Watch-BatchHealth -VectorStorePath ./store/faiss_index.bin, ./store/document_data.pkl -AutoRestore -BackupDestination ./backups -Interval 0.01 -Count 3 | " +
            "ForEach-Object -Begin { $n = 0 } -Process { $n++; if ($n -eq 1) { Write-Faiss \"$PWD/store/faiss_index.bin\" 5 }; $_ }").Output;

        Assert.Equal(3, samples.Count);
        Assert.Equal("Healthy", samples[0].Properties["Status"].Value.ToString());
        Assert.Equal("Critical", samples[1].Properties["Status"].Value.ToString());
        Assert.Equal(295L, samples[1].Properties["VectorStoreLoss"].Value);
        Assert.StartsWith("Restored backup set 'docs-", (string)samples[1].Properties["Action"].Value);
        Assert.Equal("Healthy", samples[2].Properties["Status"].Value.ToString());
        Assert.Equal(300L, samples[2].Properties["VectorStoreItems"].Value);
        Assert.Contains("Restored backup set", File.ReadAllText(session.File("backups/batchops-restores.log")));
    }

    [Fact]
    public void A_later_check_of_a_job_sees_a_loss_against_the_most_its_vector_store_held()
    {
        using var session = new PowerShellSession();
        session.Run(BackupCommandTests.MakeStore).Output.ToList();
        session.Run("1..3 | Add-BatchItem -Job embed").Single();
        const string check = "Get-BatchHealth -Job embed -VectorStorePath ./store/faiss_index.bin";

        // A first check keeps what the store held; a cron'd check after a loss (no backup folder given) still sees it.
        Assert.Equal("Healthy", session.Run(check).Single().Properties["Status"].Value.ToString());
        session.Run("Write-Faiss \"$PWD/store/faiss_index.bin\" 5").Output.ToList();
        PSObject later = session.Run(check).Single();
        Assert.Equal("Critical", later.Properties["Status"].Value.ToString());
        Assert.Equal(295L, later.Properties["VectorStoreLoss"].Value);

        // Another job watching the same files has a baseline of its own.
        session.Run("'x' | Add-BatchItem -Job other").Single();
        Assert.Equal("Healthy", session.Run("Get-BatchHealth -Job other -VectorStorePath ./store/faiss_index.bin").Single().Properties["Status"].Value.ToString());
    }

    [Fact]
    public void Start_BatchRun_backs_up_first_and_every_N_batches_and_names_the_backup_in_the_checkpoint()
    {
        using var session = new PowerShellSession();
        session.Run(BackupCommandTests.MakeStore).Output.ToList();

        PSObject summary = session.Run("1..20 | Start-BatchRun -Job embed -BatchSize 5 -BackupPath ./store -BackupDestination ./backups -BackupFirst -BackupEvery 2 -BackupKeep 2 -ScriptBlock { $_ }").Single();
        Assert.Equal("Completed", summary.Properties["State"].Value.ToString());

        var sets = session.Run("Get-VectorStoreBackup -Destination ./backups").Output;
        Assert.Equal(2, sets.Count); // first, after 2 and after 4 batches; -BackupKeep 2 keeps the newest two
        Assert.All(sets, s => Assert.StartsWith("embed-", (string)s.Properties["Name"].Value));
        PSObject checkpoint = session.Run("Get-BatchCheckpoint -Job embed").Single();
        Assert.Equal(sets[0].Properties["Name"].Value, checkpoint.Properties["LastBackup"].Value);
    }

    [Theory]
    [InlineData("1..3 | Start-BatchRun -Job x -BackupEvery 2 -ScriptBlock { $_ }", "RunBackupInvalid")]
    [InlineData("1..3 | Start-BatchRun -Job x -BackupPath ./a -BackupDestination ./b -ScriptBlock { $_ }", "RunBackupInvalid")]
    [InlineData("1..3 | Start-BatchRun -Job x -BackupPath ./a -BackupEvery 2 -ScriptBlock { $_ }", "RunBackupInvalid")]
    [InlineData("1..3 | Start-BatchRun -Job x -BackupDestination ./b -BackupFirst -ScriptBlock { $_ }", "RunBackupInvalid")]
    [InlineData("1..3 | Start-BatchRun -Job x -BackupInterval 3600 -ScriptBlock { $_ }", "RunBackupInvalid")]
    [InlineData("1..3 | Start-BatchRun -Job x -MaxMemoryPercent 150 -ScriptBlock { $_ }", "MaxMemoryPercentInvalid")]
    [InlineData("1..3 | Start-BatchRun -Job x -MaxFailureRatio 2 -ScriptBlock { $_ }", "MaxFailureRatioInvalid")]
    public void Bad_health_and_backup_arguments_are_refused_before_anything_is_written(string script, string errorId)
    {
        using var session = new PowerShellSession();
        Assert.Equal(errorId, session.Run(script).FirstErrorId);
        Assert.False(File.Exists(session.File("batchops.db")));
    }

    [Fact]
    public void Chosen_items_with_Continuous_are_refused_before_any_item_is_reset()
    {
        using var session = new PowerShellSession();
        session.Run("1..3 | Start-BatchRun -Job done -ScriptBlock { $_ }").Single();
        var refused = session.Run("Get-BatchItem -Job done | Start-BatchRun -Continuous -ScriptBlock { $_ }");

        Assert.Equal("ItemSelectionInvalid", refused.FirstErrorId);
        Assert.Contains("-Continuous", refused.Errors[0].Exception.Message);
        Assert.Equal(3L, session.Run("Get-BatchJob done").Single().Properties["Succeeded"].Value); // none was put back
    }

    [UnixFact]
    public void A_command_s_rate_limit_exit_code_pauses_and_does_not_use_up_its_attempts()
    {
        using var session = new PowerShellSession();
        string script = "if [ -f \"marker-$1\" ]; then echo done; else touch \"marker-$1\"; echo 'Retry-After: 0' >&2; exit 75; fi";
        PSObject summary = session.Run(
            $"'a', 'b' | Start-BatchRun -Job limited -RetryLimit 0 -RateLimitExitCode 75 -Command sh -ArgumentList '-c', '{script.Replace("'", "''")}', 'sh', '{{Key}}'").Single();

        Assert.Equal(2L, summary.Properties["Succeeded"].Value);
        var items = session.Run("Get-BatchItem -Job limited | ForEach-Object { $_.Attempts }").Output;
        Assert.All(items, attempts => Assert.Equal(1, attempts.BaseObject));
        Assert.Equal(2L, session.Run("Get-BatchHealth -Job limited").Single().Properties["RateLimitEvents"].Value);
    }

    [Fact]
    public void Suspend_and_Resume_need_a_live_run()
    {
        using var session = new PowerShellSession();
        session.Run("1..2 | Start-BatchRun -Job idle -ScriptBlock { $_ }").Single();
        Assert.Equal("RunNotActive", session.Run("Suspend-BatchRun -Job idle").FirstErrorId);
        Assert.Equal("RunNotActive", session.Run("Resume-BatchRun -Job idle").FirstErrorId);
    }

    [Fact]
    public async Task A_continuous_run_wakes_for_new_items_and_suspends_and_resumes_from_another_window()
    {
        using var session = new PowerShellSession();
        using var other = new PowerShellSession(session.Folder);
        using PowerShell running = session.NewShell();
        running.AddScript("1..2 | Start-BatchRun -Job inbox -Continuous -DeepSleepAfter 0 -ScriptBlock { $_ }");
        IAsyncResult handle = running.BeginInvoke();

        await Until(() => Activity(other) == "DeepSleep", "deep sleep");
        other.Run("Add-BatchItem -Job inbox -InputObject 3").Output.ToList();
        await Until(() => (long)other.Run("(Get-BatchJob inbox).Succeeded").Single().BaseObject == 3, "the new item to be processed");

        other.Run("Suspend-BatchRun -Job inbox").Output.ToList();
        await Until(() => Activity(other) == "Suspended", "the suspend");
        other.Run("Resume-BatchRun -Job inbox").Output.ToList();
        await Until(() => Activity(other) != "Suspended", "the resume");

        other.Run("Stop-BatchRun -Job inbox").Output.ToList();
        PSObject summary = running.EndInvoke(handle).Single();
        Assert.Equal("StopRequested", summary.Properties["StopReason"].Value.ToString());
        Assert.Equal(3L, summary.Properties["Succeeded"].Value);
    }

    private static string? Activity(PowerShellSession session) =>
        session.Run("(Get-BatchCheckpoint -Job inbox).Activity").Output.SingleOrDefault()?.BaseObject.ToString();

    private static async Task Until(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "Gave up waiting for " + what);
            await Task.Delay(20);
        }
    }
}
