# Results out and restores that keep the job true, as a user drives them: Export-BatchResult (one file, per batch),
# Start-BatchRun -ResultPath, Restore-VectorStore -Job.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module $ModuleManifest -Force
}

Describe 'Export-BatchResult' {
    BeforeAll {
        $store = New-TestStorePath 'export'
        $null = 1..5 | Start-BatchRun -Job scores -Store $store -BatchSize 2 -ThrottleLimit 1 -ScriptBlock {
            if ($_ -eq 4) { "plain text for $_" } else { [pscustomobject]@{ Sku = "P-$_"; Score = $_ * 10; Key = 'clash' } }
        }
    }

    It 'writes the columns Get-BatchResult | Export-Csv writes, with the union of the result fields' {
        $ours = Join-Path $TestDrive 'ours.csv'
        $theirs = Join-Path $TestDrive 'theirs.csv'
        Export-BatchResult -Job scores -Path $ours -Store $store
        $rows = Import-Csv -LiteralPath $ours
        $rows.Count | Should -Be 5
        $rows[0].PSObject.Properties.Name | Should -Be @('Key', 'Status', 'Attempts', 'Finished', 'Run', 'Batch', 'Error', 'Sku', 'Score', 'ResultKey', 'Result')
        $rows[2].Score | Should -Be '30'
        $rows[3].Result | Should -Be 'plain text for 4'
        Get-BatchResult -Job scores -Store $store | Select-Object -First 3 | Export-Csv -LiteralPath $theirs
        (Import-Csv -LiteralPath $theirs)[0].PSObject.Properties.Name | Should -Be @('Key', 'Status', 'Attempts', 'Finished', 'Run', 'Batch', 'Error', 'Sku', 'Score', 'ResultKey')
    }

    It 'writes one JSON file per batch by the path template, relative to the current location' {
        Push-Location $TestDrive
        try {
            $files = Export-BatchResult -Job scores -Store $store -PerBatch -Path 'perbatch/{Job}_batch_{Batch:0000}.json' -PassThru
        }
        finally {
            Pop-Location
        }

        $files.Name | Should -Be @('scores_batch_0001.json', 'scores_batch_0002.json', 'scores_batch_0003.json')
        $third = Get-Content -LiteralPath (Join-Path $TestDrive 'perbatch' 'scores_batch_0003.json') -Raw | ConvertFrom-Json
        @($third).Count | Should -Be 1
        $third[0].Sku | Should -Be 'P-5'
    }

    It 'binds the job and run of a piped run, and writes JSON Lines by the extension' {
        $path = Join-Path $TestDrive 'run.jsonl'
        Get-BatchRun -Job scores -Store $store | Export-BatchResult -Path $path -Status Succeeded
        $lines = Get-Content -LiteralPath $path | Where-Object { $_ } | ForEach-Object { $_ | ConvertFrom-Json }
        $lines.Count | Should -Be 5
        $lines[0].Key | Should -Be '1'
    }

    It 'writes a file per job piped in with {Job}, and never one job''s results over another''s' {
        $null = 'a', 'b' | Start-BatchRun -Job second -Store $store -ScriptBlock { "r $_" }
        $here = Join-Path $TestDrive 'perjob'
        $null = New-Item -ItemType Directory -Path $here
        Get-BatchJob -Store $store | Export-BatchResult -Path (Join-Path $here '{Job}.csv')
        (Import-Csv -LiteralPath (Join-Path $here 'scores.csv')).Count | Should -Be 5
        (Import-Csv -LiteralPath (Join-Path $here 'second.csv')).Count | Should -Be 2

        $one = Join-Path $here 'one.csv'
        $errors = @()
        Get-BatchJob -Store $store | Export-BatchResult -Path $one -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors.Count | Should -Be 1
        ($errors[0].FullyQualifiedErrorId -split ',')[0] | Should -Be 'ResultPathReused'
        $errors[0].ErrorDetails.RecommendedAction | Should -BeLike '*{Job}*'
        (Import-Csv -LiteralPath $one).Count | Should -Be 5 -Because 'the first job (scores, in name order) keeps its file'
    }

    It 'writes nothing with -WhatIf' {
        $path = Join-Path $TestDrive 'whatif.csv'
        Export-BatchResult -Job scores -Store $store -Path $path -WhatIf
        Test-Path -LiteralPath $path | Should -BeFalse
    }

    It 'refuses <Case> with <ErrorId> and writes nothing' -ForEach @(
        @{ Case = 'an existing file with -NoClobber'; Arguments = @{ Path = 'exists.csv'; NoClobber = $true }; ErrorId = 'ResultFileExists' }
        @{ Case = 'an unknown extension'; Arguments = @{ Path = 'results.txt' }; ErrorId = 'ResultFormatUnknown' }
        @{ Case = 'a per-batch path without {Batch}'; Arguments = @{ Path = 'all.json'; PerBatch = $true }; ErrorId = 'ResultPathInvalid' }
    ) {
        Push-Location $TestDrive
        try {
            Set-Content -LiteralPath exists.csv -Value 'mine'
            { Export-BatchResult -Job scores -Store $store @Arguments -ErrorAction Stop } | Should -Throw -ErrorId "$ErrorId,*"
            Get-Content -LiteralPath exists.csv | Should -Be 'mine'
            Test-Path results.txt, all.json | Should -Be @($false, $false)
        }
        finally {
            Pop-Location
        }
    }
}

Describe 'Start-BatchRun -ResultPath' {
    It 'writes each batch''s file during the run' {
        $store = New-TestStorePath 'perbatch'
        $folder = Join-Path $TestDrive 'live'
        $summary = 1..5 | Start-BatchRun -Job live -Store $store -BatchSize 2 -ResultPath (Join-Path $folder '{Job}_{Run}_{Batch}.csv') -ScriptBlock { [pscustomobject]@{ Twice = $_ * 2 } }
        $files = Get-ChildItem -LiteralPath $folder | Sort-Object Name
        $files.Name | Should -Be @("live_$($summary.RunId)_1.csv", "live_$($summary.RunId)_2.csv", "live_$($summary.RunId)_3.csv")
        ($files | ForEach-Object { Import-Csv -LiteralPath $_.FullName }).Twice | Sort-Object { [int]$_ } | Should -Be @('2', '4', '6', '8', '10')
    }
}

Describe 'Restore-VectorStore -Job' {
    It 'returns the items that succeeded after a run''s set to Pending' {
        $store = New-TestStorePath 'restore'
        $vs = Join-Path $TestDrive 'vs'
        $null = New-Item -ItemType Directory -Path $vs
        $index = Join-Path $vs 'vectors.txt'
        Set-Content -LiteralPath $index -Value @()
        $backups = Join-Path $TestDrive 'run-backups'
        # One worker: each item appends its key to the "vector store"; a backup after every batch of 2.
        $null = 1..6 | Start-BatchRun -Job embed -Store $store -BatchSize 2 -ThrottleLimit 1 -BackupPath $index -BackupDestination $backups -BackupEvery 1 -Variable @{ index = $index } -ScriptBlock {
            Add-Content -LiteralPath $index -Value $_
        }
        $first = Get-VectorStoreBackup -Destination $backups | Where-Object { $_.Job.Batches -eq 1 }

        $restore = Restore-VectorStore -Path $first.Path -Job embed -Store $store -Confirm:$false

        $restore.ItemsReturned | Should -Be 4
        (Get-Content -LiteralPath $index) | Should -Be @('1', '2')
        (Get-BatchItem -Job embed -Store $store -Status Pending).Key | Should -Be @('3', '4', '5', '6')
    }

    It 'warns that the job was not reconciled without -Job' {
        $store = New-TestStorePath 'restore-warn'
        $file = Join-Path $TestDrive 'warn.txt'
        Set-Content -LiteralPath $file -Value 'x'
        $backups = Join-Path $TestDrive 'warn-backups'
        $null = 'a' | Start-BatchRun -Job warned -Store $store -BackupPath $file -BackupDestination $backups -BackupFirst -ScriptBlock { $_ }
        $set = Get-VectorStoreBackup -Destination $backups | Select-Object -First 1

        $null = Restore-VectorStore -Path $set.Path -Confirm:$false -WarningVariable warned -WarningAction SilentlyContinue

        "$warned" | Should -BeLike "*-Job 'warned'*"
    }

    It 'reconciles a set that Backup-VectorStore -Job made' {
        $store = New-TestStorePath 'manual-job'
        $file = Join-Path $TestDrive 'manual-job.txt'
        Set-Content -LiteralPath $file -Value @()
        $null = 1..2 | Start-BatchRun -Job manualjob -Store $store -Variable @{ file = $file } -ScriptBlock { Add-Content -LiteralPath $file -Value $_ }
        $set = Backup-VectorStore -Path $file -Destination (Join-Path $TestDrive 'manual-job-backups') -Job manualjob -Store $store
        $null = 3..4 | Start-BatchRun -Job manualjob -Store $store -Variable @{ file = $file } -ScriptBlock { Add-Content -LiteralPath $file -Value $_ }

        $restore = Restore-VectorStore -Path $set.Path -Job manualjob -Store $store -Confirm:$false

        $restore.ItemsReturned | Should -Be 2
        (Get-BatchItem -Job manualjob -Store $store -Status Pending).Key | Should -Be @('3', '4')
    }

    It 'refuses -Job for a set that records no job, before anything is restored' {
        $file = Join-Path $TestDrive 'manual.txt'
        Set-Content -LiteralPath $file -Value 'before'
        $set = Backup-VectorStore -Path $file -Destination (Join-Path $TestDrive 'manual-backups')
        Set-Content -LiteralPath $file -Value 'after'
        $store = New-TestStorePath 'manual'
        $null = 'a' | Add-BatchItem -Job manual -Store $store

        { Restore-VectorStore -Path $set.Path -Job manual -Store $store -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'RestoreNotReconcilable,*'
        Get-Content -LiteralPath $file | Should -Be 'after'
    }
}
