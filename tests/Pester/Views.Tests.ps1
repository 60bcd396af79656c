# Every default view, rendered as a console of 80 and of 120 columns renders it: nothing that matters is cut to '…'
# (progress bar, counts, keys, states), no line is longer than the console, and wider consoles show more.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module $ModuleManifest -Force

    $store = New-TestStorePath 'views'
    $script:Added = 1..10 | ForEach-Object { "chunk-$_" } | Add-BatchItem -Job embed-document-chunks-v26 -Store $store
    $longKey = '/var/lib/import/customers/2026/very-long-folder-name/report-0007.txt'
    $script:Summary = @('a', 'b', 'c', $longKey) | Start-BatchRun -Job evaluate-products -Store $store -RetryLimit 0 -WarningAction SilentlyContinue -ScriptBlock {
        if ($_ -eq 'b') { throw 'The evaluation API did not answer within 30 seconds; giving up on this product for now' }
        $_
    }
    $script:Jobs = Get-BatchJob -Store $store
    $script:Items = Get-BatchItem -Job evaluate-products -Store $store
    $script:Checkpoint = Get-BatchCheckpoint -Job evaluate-products -Store $store
    $script:Health = Get-BatchHealth -Job evaluate-products -Store $store
    $script:Runs = Get-BatchJob -Name evaluate-products -Store $store | Get-BatchRun

    $vectorStore = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'vectors')
    Set-Content -LiteralPath (Join-Path $vectorStore 'document_data.pkl') -Value 'vectors'
    $script:Backup = Get-ChildItem $vectorStore | Backup-VectorStore -Destination (Join-Path $TestDrive 'backups') -Name faiss-store
    $script:BackupTest = $Backup | Test-VectorStoreBackup

    function Show-View($InputObject, [int] $Width) {
        ($InputObject | Out-String -Width $Width) -split "`r?`n"
    }
}

Describe 'Default views at <Width> columns' -ForEach @(@{ Width = 80 }, @{ Width = 120 }) {
    It 'keeps every line of every view within the console' {
        foreach ($output in @($Added, $Summary, $Jobs, $Items, $Checkpoint, $Health, $Backup, $BackupTest, $Runs)) {
            foreach ($line in Show-View $output $Width) {
                $line.TrimEnd().Length | Should -BeLessOrEqual $Width -Because "'$line' must fit"
            }
        }
    }

    It 'shows the job table with whole names, counts and progress bars' {
        $lines = Show-View $Jobs $Width
        $lines[1] | Should -Match '^Name\s+Total\s+Pending\s+Running\s+Succeeded\s+Failed\s+Progress'
        # Names of up to 25 characters show whole at 80 columns.
        ($lines | Where-Object { $_ -match '^embed-document-chunks-v26\s+10\s+10\s+0\s+0\s+0 \[\.{5}\] 0\.0%' }) | Should -Not -BeNullOrEmpty
        ($lines | Where-Object { $_ -like 'evaluate-products*' }) | Should -Match '\s4\s+0\s+0\s+3\s+1 \[###\.\.\] 75\.0%'
        ($lines -join "`n") | Should -Not -Match '…'
    }

    It 'shows items with their whole status and attempts, the end of a long key, and the error wrapped, not cut' {
        $text = (Show-View $Items $Width) -join "`n"
        $text | Should -Match 'report-0007\.txt\s+Succeeded\s+1'
        $text | Should -Match "(?m)^b\s+Failed\s+1 The evaluation API"
        ($text -replace '\s+', ' ') | Should -Match 'giving up on this product for now'
    }

    It 'labels the run summary with its property names' {
        $text = (Show-View $Summary $Width) -join "`n"
        foreach ($property in 'Job', 'State', 'StopReason', 'Total', 'Succeeded', 'Failed', 'Skipped', 'Remaining', 'Duration') {
            $text | Should -Match "(?m)^$property\s+:"
            $Summary.PSObject.Properties[$property] | Should -Not -BeNullOrEmpty
        }
        $text | Should -Match '(?m)^Succeeded\s+: 3$'
    }

    It 'shows the checkpoint block with its progress bar' {
        $text = (Show-View $Checkpoint $Width) -join "`n"
        $text | Should -Match 'Current Batch : 1'
        $text | Should -Match 'Progress\s+: \[###\.\.\] 75\.0%'
    }

    It 'shows health with a whole status and job name' {
        $lines = Show-View $Health $Width
        ($lines | Where-Object { $_ -match '^\d\d:\d\d:\d\d ' }) | Should -Match '^\d\d:\d\d:\d\d (Healthy|Degraded|Critical)\s+evaluate-products\s'
    }

    It 'shows the run history with whole states, stop reasons and counts' {
        $lines = Show-View $Runs $Width
        ($lines | Where-Object { $_ -match '^\s*Job: evaluate-products$' }) | Should -HaveCount 1 # one group per job
        ($lines | Where-Object { $_ -match '^\s*RunId\s+State\s+StopReason\s+Started\s+Succeeded\s+Failed\s+Items/s$' }) | Should -HaveCount 1
        ($lines -join "`n") | Should -Not -Match '…'
        ($lines | Where-Object { $_ -match '^\s+1 Completed\s+Drained\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+3\s+1\s' }) | Should -Not -BeNullOrEmpty
    }

    It 'shows backup sets and their verification with whole names' {
        ((Show-View $Backup $Width) -join "`n") | Should -Match "$([regex]::Escape($Backup.Name))\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+1\s"
        ((Show-View $BackupTest $Width) -join "`n") | Should -Match "$([regex]::Escape($Backup.Name))\s+True\s+1 valid"
    }
}

Describe 'Wider consoles show more' {
    It 'adds the Updated column to the job table at 120 columns' {
        (Show-View $Jobs 80)[1] | Should -Not -Match 'Updated'
        (Show-View $Jobs 120)[1] | Should -Match 'Updated'
    }

    It 'gives a long error more of the line at 120 columns' {
        # The error wraps onto fewer lines; the other items take one line each at both widths.
        @(Show-View $Items 120).Count | Should -BeLessThan @(Show-View $Items 80).Count
    }
}

Describe 'Redirected output' {
    It 'renders at 80 columns in a script whose output goes to a file, as in cron mail' {
        $store = New-TestStorePath 'cron'
        1..3 | ForEach-Object { "item-$_" } | Add-BatchItem -Job nightly-import -Store $store | Out-Null
        # As the README's job script does: no colour escapes in mail or log files.
        $result = Invoke-JobScript -Body "`$PSStyle.OutputRendering = 'PlainText'; Get-BatchJob -Store '$store'"
        $result.ExitCode | Should -Be 0
        $lines = $result.Output -split "`r?`n"
        $lines | Where-Object { $_ -match '^nightly-import\s+3\s+3\s+0\s+0\s+0 \[\.{5}\] 0\.0%' } | Should -Not -BeNullOrEmpty
        $lines | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 80 }
    }
}
