# Objects piped into Start-BatchRun as a user pipes them: files come back as files, a BatchJob selects the job,
# BatchItem objects run exactly those items. Each script block writes a line per execution to a file, to count them
# (one worker at a time: appends from several runspaces to one file can overwrite each other).

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module $ModuleManifest -Force

    function New-Chunks {
        param([string] $Store, [int] $Count = 40)
        $null = 1..$Count | ForEach-Object { 'chunk-{0:D4}' -f $_ } | Add-BatchItem -Job chunks -Store $Store
    }

    function Get-Executions {
        param([string] $Log)
        if (Test-Path -LiteralPath $Log) { @(Get-Content -LiteralPath $Log) } else { @() }
    }
}

Describe 'Files piped into Start-BatchRun' {
    BeforeEach {
        $store = New-TestStorePath 'files'
        $folder = New-Item -ItemType Directory -Path (Join-Path $TestDrive "docs-$([guid]::NewGuid().ToString('N'))")
        'a', 'b', 'c [1]' | ForEach-Object { Set-Content -LiteralPath (Join-Path $folder "$_.txt") -Value $_ }
    }

    It 'reach the script block as FileInfo objects' {
        $summary = Get-ChildItem -LiteralPath $folder -Filter *.txt |
            Start-BatchRun -Job docs -Store $store -RetryLimit 0 -ScriptBlock { '{0}|{1}|{2}' -f $_.GetType().Name, $_.Name, $_.Length }
        $summary.Succeeded | Should -Be 3
        $results = (Get-BatchItem -Job docs -Store $store).Result | Sort-Object
        $results | Should -Be @('FileInfo|a.txt|2', 'FileInfo|b.txt|2', 'FileInfo|c [1].txt|6')
    }

    It 'reach it as DirectoryInfo objects for folders' {
        $summary = Get-Item -LiteralPath $folder | Start-BatchRun -Job dirs -Store $store -RetryLimit 0 -ScriptBlock { $_.GetType().Name }
        $summary.Succeeded | Should -Be 1
        (Get-BatchItem -Job dirs -Store $store).Result | Should -Be 'DirectoryInfo'
    }

    It 'fail clearly when the file was deleted since it was added' {
        Get-ChildItem -LiteralPath $folder -Filter a.txt | Add-BatchItem -Job docs -Store $store | Out-Null
        Remove-Item -LiteralPath (Join-Path $folder 'a.txt')
        $summary = Start-BatchRun -Job docs -Store $store -RetryLimit 0 -ScriptBlock { $_.FullName } -WarningAction SilentlyContinue -ErrorAction SilentlyContinue
        $summary.Failed | Should -Be 1
        (Get-BatchItem -Job docs -Store $store).LastError | Should -Match 'no longer exists'
    }

    It 'still give a command the plain path as {Payload}' {
        Get-ChildItem -LiteralPath $folder -Filter b.txt | Add-BatchItem -Job docs -Store $store | Out-Null
        $summary = Start-BatchRun -Job docs -Store $store -RetryLimit 0 -Command $Pwsh -ArgumentList '-NoProfile', '-Command', 'Write-Output $args[0]', '{Payload}'
        $summary.Succeeded | Should -Be 1
        (Get-BatchItem -Job docs -Store $store).Result.Trim() | Should -Be (Join-Path $folder 'b.txt')
    }
}

Describe 'A BatchJob piped into Start-BatchRun' {
    BeforeEach {
        $store = New-TestStorePath 'jobs'
        New-Chunks -Store $store -Count 6
        $log = Join-Path $TestDrive "runs-$([guid]::NewGuid().ToString('N')).log"
    }

    It 'selects the job to run, without -Job' {
        $summary = Get-BatchJob -Name chunks -Store $store | Start-BatchRun -ThrottleLimit 1 -ScriptBlock { Add-Content -LiteralPath $using:log -Value $_ }
        $summary.Job | Should -Be 'chunks'
        $summary.Succeeded | Should -Be 6
        (Get-Executions $log).Count | Should -Be 6
    }

    It 'is not added as an item when -Job names the same job' {
        $summary = Get-BatchJob -Name chunks -Store $store | Start-BatchRun -Job chunks -ThrottleLimit 1 -ScriptBlock { Add-Content -LiteralPath $using:log -Value $_ }
        $summary.Total | Should -Be 6
        (Get-BatchJob -Name chunks -Store $store).Total | Should -Be 6
    }

    It 'is refused when -Job names another job' {
        'x' | Add-BatchItem -Job other -Store $store | Out-Null
        { Get-BatchJob -Name other -Store $store | Start-BatchRun -Job chunks -Store $store -ScriptBlock { $_ } -ErrorAction Stop } |
            Should -Throw -ErrorId 'JobAmbiguous*'
        (Get-Executions $log).Count | Should -Be 0
    }

    It 'leaves a clear error when there is neither -Job nor a piped job' {
        Push-Location $TestDrive
        try {
            { Start-BatchRun -ScriptBlock { $_ } -Store $store -ErrorAction Stop } | Should -Throw -ErrorId 'JobMissing*'
            { 'a' | Start-BatchRun -ScriptBlock { $_ } -Store $store -ErrorAction Stop } | Should -Throw -ErrorId 'JobMissing*'
        }
        finally {
            Pop-Location
        }
    }
}

Describe 'BatchItem objects piped into Start-BatchRun' {
    BeforeEach {
        $store = New-TestStorePath 'items'
        New-Chunks -Store $store
        $log = Join-Path $TestDrive "runs-$([guid]::NewGuid().ToString('N')).log"
    }

    It 'run exactly the chosen item' {
        Reset-BatchItem -Job chunks -Store $store -Key chunk-0040
        $summary = Get-BatchItem -Job chunks -Store $store -Key chunk-0040 | Start-BatchRun -ThrottleLimit 1 -ScriptBlock { Add-Content -LiteralPath $using:log -Value $_ }
        Get-Executions $log | Should -Be @('chunk-0040')
        $summary.Succeeded | Should -Be 1
        (Get-BatchItem -Job chunks -Store $store -Key chunk-0040).Status | Should -Be 'Succeeded'
        (Get-BatchJob -Name chunks -Store $store).Pending | Should -Be 39
    }

    It 'run a succeeded item again' {
        $null = Get-BatchItem -Job chunks -Store $store -Key chunk-0007 | Start-BatchRun -ScriptBlock { 'first' }
        $summary = Get-BatchItem -Job chunks -Store $store -Key chunk-0007 | Start-BatchRun -ThrottleLimit 1 -ScriptBlock { Add-Content -LiteralPath $using:log -Value $_; 'second' }
        Get-Executions $log | Should -Be @('chunk-0007')
        $summary.Succeeded | Should -Be 1
        (Get-BatchItem -Job chunks -Store $store -Key chunk-0007).Result | Should -Be 'second'
    }

    It 'change nothing with -WhatIf' {
        $null = Get-BatchItem -Job chunks -Store $store -Key chunk-0003 | Start-BatchRun -ScriptBlock { 'first' }
        $before = Get-BatchItem -Job chunks -Store $store -Key chunk-0003
        $output = Get-BatchItem -Job chunks -Store $store -Key chunk-0003, chunk-0004 |
            Start-BatchRun -ScriptBlock { Add-Content -LiteralPath $using:log -Value $_ } -WhatIf
        $output | Should -BeNullOrEmpty
        (Get-Executions $log).Count | Should -Be 0
        $after = Get-BatchItem -Job chunks -Store $store -Key chunk-0003
        $after.Status | Should -Be 'Succeeded'
        $after.Finished | Should -Be $before.Finished
        (Get-BatchJob -Name chunks -Store $store).Pending | Should -Be 39
    }

    It 'are refused when mixed with new data' {
        { @((Get-BatchItem -Job chunks -Store $store -Key chunk-0001), 'new-item') | Start-BatchRun -ScriptBlock { $_ } -ErrorAction Stop } |
            Should -Throw -ErrorId 'InputMixed*'
        (Get-BatchJob -Name chunks -Store $store).Total | Should -Be 40
    }
}

Describe 'Get-BatchRun in a pipeline' {
    BeforeAll {
        $store = New-TestStorePath 'history'
        $first = 1..6 | Start-BatchRun -Job history -Store $store -MaxItems 2 -ScriptBlock { $_ }
        $second = Start-BatchRun -Job history -Store $store -ScriptBlock { $_ }
    }

    It 'lists every run of a job piped from Get-BatchJob, newest first' {
        (Get-BatchJob -Name history -Store $store | Get-BatchRun).RunId | Should -Be @($second.RunId, $first.RunId)
    }

    It 'finds the very run a summary piped in describes' {
        $run = $first | Get-BatchRun
        $run.RunId | Should -Be $first.RunId
        $run.StopReason | Should -Be 'MaxItemsReached'
        $run.Succeeded | Should -Be 2
    }
}

Describe 'Remove-BatchRun' {
    BeforeEach {
        $store = New-TestStorePath 'tidy'
        $null = 1..6 | Start-BatchRun -Job tidy -Store $store -MaxItems 2 -ScriptBlock { $_ }
        $null = Start-BatchRun -Job tidy -Store $store -ScriptBlock { $_ }
    }

    It 'changes nothing under -WhatIf, piped from Get-BatchRun' {
        Get-BatchRun -Job tidy -Store $store | Remove-BatchRun -WhatIf
        @(Get-BatchRun -Job tidy -Store $store).Count | Should -Be 2
    }

    It 'removes ended runs by age and keeps every item''s outcome' {
        $removed = Remove-BatchRun -Job tidy -Store $store -OlderThanDays 0 -PassThru -Confirm:$false
        @($removed).Count | Should -Be 2
        Get-BatchRun -Job tidy -Store $store | Should -BeNullOrEmpty
        (Get-BatchJob -Name tidy -Store $store).Succeeded | Should -Be 6
    }

    It 'says so when a run asked for by id is not there' {
        Remove-BatchRun -Job tidy -Store $store -RunId 999 -Confirm:$false -ErrorVariable missing -ErrorAction SilentlyContinue
        $missing | Should -HaveCount 1
        $missing[0].FullyQualifiedErrorId | Should -BeLike 'RunNotFound*'
        $missing[0].Exception.Message | Should -BeLike "*no run 999*"
        @(Get-BatchRun -Job tidy -Store $store).Count | Should -Be 2
    }

    It 'takes the age as -OlderThan, as a user would type it' {
        $first = Get-BatchRun -Job tidy -Store $store | Select-Object -Last 1
        Remove-BatchRun -Job tidy -Store $store -RunId $first.RunId -Confirm:$false
        @(Get-BatchRun -Job tidy -Store $store).Count | Should -Be 1
        Remove-BatchRun -Job tidy -Store $store -OlderThan 0 -Confirm:$false
        Get-BatchRun -Job tidy -Store $store | Should -BeNullOrEmpty
    }
}

Describe 'Get-BatchResult' {
    BeforeAll {
        $store = New-TestStorePath 'results'
        $null = 1..4 | Start-BatchRun -Job scores -Store $store -BatchSize 2 -ThrottleLimit 1 -ScriptBlock {
            [pscustomobject]@{ Sku = "P-$_"; Score = $_ * 10; Key = 'clash' }
        }
        $null = 'x' | Start-BatchRun -Job words -Store $store -ScriptBlock { "text result for $_" }
    }

    It 'hands over object results as columns: Export-Csv writes one per field' {
        $csv = Join-Path $TestDrive 'scores.csv'
        Get-BatchResult -Job scores -Store $store | Export-Csv -LiteralPath $csv
        $rows = Import-Csv -LiteralPath $csv
        $rows.Count | Should -Be 4
        $rows[0].PSObject.Properties.Name | Should -Be @('Key', 'Status', 'Attempts', 'Finished', 'Run', 'Batch', 'Error', 'Sku', 'Score', 'ResultKey')
        $rows[2].Sku | Should -Be 'P-3'
        $rows[2].Score | Should -Be '30'
        $rows[2].Batch | Should -Be '2'
    }

    It 'keeps a text result as text' {
        (Get-BatchResult -Job words -Store $store).Result | Should -Be 'text result for x'
    }

    It 'filters by run and batch' {
        $run = Get-BatchRun -Job scores -Store $store
        (Get-BatchResult -Job scores -Store $store -Run $run.RunId -Batch 1).Sku | Should -Be @('P-1', 'P-2')
    }
}

Describe 'Restore-VectorStore -WhatIf' {
    It 'shows every set piped in and restores none' {
        $index = Join-Path $TestDrive 'whatif-index.bin'
        $destination = Join-Path $TestDrive 'whatif-backups'
        Set-Content -LiteralPath $index -Value 'first'
        $null = Backup-VectorStore -Path $index -Destination $destination -Force
        Set-Content -LiteralPath $index -Value 'second'
        $null = Backup-VectorStore -Path $index -Destination $destination -Force
        Set-Content -LiteralPath $index -Value 'now'

        @(Get-VectorStoreBackup -Destination $destination) | Should -HaveCount 2
        Get-VectorStoreBackup -Destination $destination | Restore-VectorStore -WhatIf -ErrorVariable refused -ErrorAction SilentlyContinue
        $refused | Should -BeNullOrEmpty -Because '-WhatIf restores nothing, so no set was restored already'
        Get-Content -LiteralPath $index | Should -Be 'now'
    }
}
