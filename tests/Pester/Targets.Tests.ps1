# A target percent is counted in whole items: 50% of 2,001 is 1,001 succeeded, however a printed percentage rounds.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module $ModuleManifest -Force

    # 1,000 of 2,001 succeed (49.975%, printed as 50.0%), the other 1,001 fail for good: nothing is left to run.
    $script:Store = New-TestStorePath -Name 'target'
    1..2001 | Start-BatchRun -Job half -Store $Store -RetryLimit 0 -ScriptBlock {
        if ($_ -gt 1000) { throw "item $_ fails" }
        $_
    } -ErrorAction SilentlyContinue -WarningAction SilentlyContinue | Out-Null
}

Describe 'A target percent on a finished job' {
    It 'the job is at 1,000 of 2,001 succeeded with nothing left' {
        $job = Get-BatchJob -Name half -Store $Store
        $job.Succeeded | Should -Be 1000
        $job.Total | Should -Be 2001
        $job.Remaining | Should -Be 0
    }

    It 'Wait-BatchJob -TargetPercent 50 fails with JobTargetUnreachable instead of waiting' {
        $caught = $null
        try {
            # The timeout only bounds a regression: a wait that polls on ends in WaitTimedOut, not in the error asserted.
            Wait-BatchJob -Job half -Store $Store -TargetPercent 50 -Timeout ([timespan]::FromMinutes(1)) -ErrorAction Stop | Out-Null
        }
        catch {
            $caught = $_
        }

        $caught | Should -Not -BeNullOrEmpty
        ($caught.FullyQualifiedErrorId -split ',')[0] | Should -Be 'JobTargetUnreachable'
        $caught.Exception.Message | Should -BeLike '*49.975% succeeded, short of 50%*'
    }

    It 'Test-BatchJob says 50% is not reached and 49.9% is' {
        Test-BatchJob -Job half -Store $Store -TargetPercent 50 | Should -BeFalse
        Test-BatchJob -Job half -Store $Store -TargetPercent 49.9 | Should -BeTrue
    }

    It 'Wait-BatchJob -TargetPercent 49.9 returns at once with the checkpoint of the last run' {
        $reached = Wait-BatchJob -Job half -Store $Store -TargetPercent 49.9 -Timeout ([timespan]::FromMinutes(1)) -ErrorAction Stop
        $reached | Should -Not -BeNullOrEmpty
        $reached.Job | Should -Be 'half'
    }
}

Describe 'Start-BatchRun -TargetPercent' {
    It 'claims only what the target needs: 50% of 11 items is 6' {
        $store = New-TestStorePath -Name 'target-run'
        $summary = 1..11 | Start-BatchRun -Job eleven -Store $store -TargetPercent 50 -BatchSize 1 -ThrottleLimit 1 -ScriptBlock { $_ }
        $summary.StopReason | Should -Be 'TargetReached'
        $summary.Succeeded | Should -Be 6
        (Get-BatchJob -Name eleven -Store $store).Pending | Should -Be 5
    }
}
