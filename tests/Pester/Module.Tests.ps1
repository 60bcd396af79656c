#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
<#
    The module as a user drives it in pwsh. build.ps1 runs this file in a fresh pwsh where Pester 5 is installed
    (pwsh ./build.ps1 -Task Test). The same behaviours are also checked by tests/BatchOps.Module.Tests (xunit on
    the PowerShell engine), which run everywhere; these add what needs a full pwsh: formatting, Get-Help, -ErrorAction.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '..' '..' 'out' 'BatchOps' 'BatchOps.psd1') -Force
}

Describe 'The README quick start' {
    It 'embeds to 50%, shows the checkpoint and resumes to 100%' {
        $store = Join-Path $TestDrive 'quickstart.db'
        $output = & (Join-Path $PSScriptRoot '..' '..' 'examples' 'QuickStart.ps1') -Store $store -Chunks 40

        $summaries = @($output | Where-Object { $_.PSTypeNames[0] -eq 'BatchOps.BatchRunSummary' })
        $summaries.Count | Should -Be 2
        $summaries[0].StopReason | Should -Be 'TargetReached'
        $summaries[0].Succeeded | Should -Be 20
        $summaries[1].Skipped | Should -Be 20
        $summaries[1].Succeeded | Should -Be 20
        ($output | Where-Object { $_.PSTypeNames -contains 'BatchOps.BatchJob' }).PercentComplete | Should -Be 100
    }
}

Describe 'Pipeline composition' {
    BeforeEach {
        $store = Join-Path $TestDrive "jobs-$([guid]::NewGuid().ToString('N')).db"
    }

    It 'resets failed items piped from Get-BatchItem, and a rerun finishes them' {
        $summary = 1..6 | Start-BatchRun -Job flaky -Store $store -RetryLimit 0 -ScriptBlock {
            if ($_ % 3 -eq 0 -and -not $second) { throw "item $_ failed" }
            $_
        }
        $summary.Failed | Should -Be 2

        Get-BatchItem -Job flaky -Store $store -Status Failed | Reset-BatchItem
        (Get-BatchJob -Name flaky -Store $store).Pending | Should -Be 2

        $rerun = Start-BatchRun -Job flaky -Store $store -Variable @{ second = $true } -ScriptBlock { $_ }
        $rerun.Succeeded | Should -Be 2
        (Get-BatchJob -Name flaky -Store $store).PercentComplete | Should -Be 100
    }

    It 'feeds files from Get-ChildItem, keyed by full path, and feeding them again adds nothing' {
        $folder = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'import')
        1..3 | ForEach-Object { Set-Content -Path (Join-Path $folder "doc$_.txt") -Value "document $_" }

        $first = Get-ChildItem $folder -Filter *.txt | Start-BatchRun -Job import -Store $store -ScriptBlock { (Get-Content -LiteralPath $_).Length }
        $first.Added | Should -Be 3
        (Get-BatchItem -Job import -Store $store).Key | Should -Contain (Join-Path $folder 'doc1.txt')

        $again = Get-ChildItem $folder -Filter *.txt | Start-BatchRun -Job import -Store $store -ScriptBlock { $_ }
        $again.Added | Should -Be 0
        $again.Skipped | Should -Be 3
        $again.Succeeded | Should -Be 0
    }
}

Describe '-WhatIf and -Confirm' {
    BeforeAll {
        $store = Join-Path $TestDrive 'whatif.db'
        1..4 | Start-BatchRun -Job done -Store $store -ScriptBlock { $_ } | Out-Null
    }

    It 'changes nothing under -WhatIf' {
        Get-BatchItem -Job done -Store $store | Reset-BatchItem -WhatIf
        Clear-BatchJob -Job done -Store $store -WhatIf
        Get-BatchJob -Store $store | Remove-BatchJob -WhatIf
        (Get-BatchJob -Name done -Store $store).Succeeded | Should -Be 4
    }

    It 'does not prompt in an unattended session unless -Confirm is given' {
        (Get-Command Remove-BatchJob).Parameters.ContainsKey('Confirm') | Should -BeTrue
        $ConfirmPreference | Should -Be 'High' # Medium-impact commands do not prompt by default
    }
}

Describe 'Errors' {
    BeforeEach {
        $store = Join-Path $TestDrive "errors-$([guid]::NewGuid().ToString('N')).db"
    }

    It 'refuses <Option> with <ErrorId> before writing anything' -ForEach @(
        @{ Option = @{ BatchSize = 0 }; ErrorId = 'BatchSizeInvalid' }
        @{ Option = @{ TargetPercent = 150 }; ErrorId = 'TargetPercentInvalid' }
        @{ Option = @{ BatchDelay = -1 }; ErrorId = 'BatchDelayInvalid' }
    ) {
        { 'a' | Start-BatchRun -Job j -Store $store -ScriptBlock { $_ } @Option -ErrorAction Stop } | Should -Throw -ErrorId "$ErrorId,*"
        Test-Path $store | Should -BeFalse
    }

    It 'refuses an unknown job with the names of the jobs there are' {
        'a' | Add-BatchItem -Job embed-chunks -Store $store | Out-Null
        { Start-BatchRun -Job embed-chunk -Store $store -ScriptBlock { $_ } -ErrorAction Stop } | Should -Throw -ErrorId 'JobNotFound,*' -ExpectedMessage "*'embed-chunks'*"
    }

    It 'refuses a store in a folder that does not exist' {
        { 'a' | Start-BatchRun -Job j -Store (Join-Path $TestDrive 'missing' 'x.db') -ScriptBlock { $_ } -ErrorAction Stop } | Should -Throw -ErrorId 'StoreFolderNotFound,*'
    }
}

Describe 'Formatting' {
    It 'shows jobs as a table with a progress bar' {
        $store = Join-Path $TestDrive 'format.db'
        1..4 | Start-BatchRun -Job half -Store $store -MaxItems 2 -ScriptBlock { $_ } | Out-Null
        $table = Get-BatchJob -Store $store | Format-Table | Out-String
        $table | Should -Match 'Succeeded'
        $table | Should -Match '\[##\.\.\.\] 50\.0%'
    }

    It 'shows the checkpoint as a status block' {
        $store = Join-Path $TestDrive 'format.db'
        $list = Get-BatchCheckpoint -Job half -Store $store | Format-List | Out-String
        $list | Should -Match 'Last Updated'
        $list | Should -Match 'Current Batch'
    }
}

Describe 'Vector store backups' {
    BeforeAll {
        $store = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'store')
        [IO.File]::WriteAllBytes((Join-Path $store 'document_data.pkl'), [byte[]](1..200))
        Set-Content -Path (Join-Path $store 'notes.txt') -Value 'chunk notes'
        $backups = Join-Path $TestDrive 'backups'
    }

    It 'verifies the newest set through the pipeline (Get | Select-Object -First 1 | Test)' {
        Get-ChildItem $store | Backup-VectorStore -Destination $backups | Out-Null
        Get-ChildItem $store | Backup-VectorStore -Destination $backups | Out-Null

        $result = Get-VectorStoreBackup -Destination $backups | Select-Object -First 1 | Test-VectorStoreBackup
        $result.IsValid | Should -BeTrue
        $result.FilesChecked | Should -Be 2
        (Get-VectorStoreBackup -Destination $backups | Format-Table | Out-String) | Should -Match 'vectorstore-'
    }

    It 'restores the latest set, keeping a safety copy' {
        Set-Content -Path (Join-Path $store 'notes.txt') -Value 'damaged'
        $restore = Restore-VectorStore -Destination $backups -Latest -Name vectorstore -Confirm:$false
        Get-Content (Join-Path $store 'notes.txt') | Should -Be 'chunk notes'
        Get-Content (Join-Path $restore.SafetyCopy 'notes.txt') | Should -Be 'damaged'
    }
}

Describe 'Health' {
    BeforeAll {
        $store = Join-Path $TestDrive 'health.db'
        1..40 | Start-BatchRun -Job eval -Store $store -BatchSize 10 -RetryLimit 0 -ScriptBlock {
            if ($_ % 4 -eq 0) { throw 'HTTP 500' }
            $_
        } | Out-Null
    }

    It 'gives one typed sample with a status, reasons and the figures behind them' {
        $sample = Get-BatchHealth -Job eval -Store $store
        $sample.PSTypeNames[0] | Should -Be 'BatchOps.HealthSample'
        $sample.Status | Should -Be 'Degraded'
        $sample.Reasons | Should -Contain 'error rate 25% over 40 items'
        ($sample.ErrorsByType.Values | Measure-Object -Sum).Sum | Should -Be 10
        $sample.Checkpoint.Job | Should -Be 'eval'
        $sample.PeakProcessMemoryMB | Should -BeGreaterOrEqual $sample.ProcessMemoryMB
        (Get-BatchHealth -Job eval -Store $store | Format-Table | Out-String) | Should -Match 'Degraded'
    }

    It 'streams samples that a pipeline filters for alerts' {
        $alerts = Watch-BatchHealth -Job eval -Store $store -Interval 0.05 -Count 3 | Where-Object Status -NE Healthy
        @($alerts).Count | Should -Be 3
        $first = Watch-BatchHealth -Job eval -Store $store -Interval 0.05 | Select-Object -First 1 # stops the endless watch
        $first.Status | Should -Be 'Degraded'
    }

    It 'takes threshold overrides and refuses unknown ones' {
        (Get-BatchHealth -Job eval -Store $store -Threshold @{ ErrorRateDegradedPercent = 30 }).Status | Should -Be 'Healthy'
        { Get-BatchHealth -Job eval -Store $store -Threshold @{ Memory = 5 } -ErrorAction Stop } | Should -Throw -ErrorId 'HealthThresholdInvalid*'
    }

    It 'refuses Suspend-BatchRun for a job with no run in progress' {
        { Suspend-BatchRun -Job eval -Store $store -ErrorAction Stop } | Should -Throw -ErrorId 'RunNotActive*'
    }
}

Describe 'Help' {
    It 'has an about topic' {
        Get-Help about_BatchOps | Out-String | Should -Match 'at least once'
    }
}
