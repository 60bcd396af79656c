# Pipelines and output shapes a PowerShell user expects: one rule for -Key, -WhatIf that always answers, folders
# refused like -Store refuses them, objects that read well inside other objects and in CSV/JSON.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module $ModuleManifest -Force
}

Describe '-Key of Get-BatchItem and Reset-BatchItem' {
    BeforeEach {
        $store = New-TestStorePath 'keys'
        $folder = New-Item -ItemType Directory -Path (Join-Path $TestDrive "docs-$([guid]::NewGuid().ToString('N'))")
        'a', 'b', 'report[1]' | ForEach-Object { Set-Content -LiteralPath (Join-Path $folder "$_.txt") -Value $_ }
        $null = Get-ChildItem $folder | Start-BatchRun -Job docs -Store $store -ScriptBlock { 'done' }
        $null = 1..12 | ForEach-Object { 'chunk-{0:D4}' -f $_ } | Start-BatchRun -Job chunks -Store $store -ScriptBlock { $_ }
    }

    It 'takes the same wildcard in both' {
        @(Get-BatchItem -Job chunks -Store $store -Key 'chunk-000*').Count | Should -Be 9
        Reset-BatchItem -Job chunks -Store $store -Key 'chunk-000*'
        (Get-BatchJob -Name chunks -Store $store).Pending | Should -Be 9
    }

    It 'takes the same relative path in both: the full path of the file' {
        Push-Location $folder
        try {
            (Get-BatchItem -Job docs -Store $store -Key ./a.txt).Key | Should -Be (Join-Path $folder 'a.txt')
            Reset-BatchItem -Job docs -Store $store -Key ./a.txt
        }
        finally {
            Pop-Location
        }
        (Get-BatchItem -Job docs -Store $store -Status Pending).Key | Should -Be (Join-Path $folder 'a.txt')
    }

    It 'takes piped items by their exact key, wildcard characters and all' {
        Get-BatchItem -Job docs -Store $store -Key '*report*' | Reset-BatchItem
        (Get-BatchItem -Job docs -Store $store -Status Pending).Key | Should -Be (Join-Path $folder 'report[1].txt')
    }
}

Describe '-WhatIf with no run in progress' {
    It '<Command> -WhatIf says what it would do, with no error' -ForEach @(
        @{ Command = 'Stop-BatchRun' }
        @{ Command = 'Suspend-BatchRun' }
        @{ Command = 'Resume-BatchRun' }
    ) {
        $store = New-TestStorePath 'whatif'
        'a' | Add-BatchItem -Job idle -Store $store | Out-Null
        $result = Invoke-JobScript -Body "`$ErrorActionPreference = 'Stop'; $Command -Job idle -Store '$store' -WhatIf"
        $result.ExitCode | Should -Be 0 -Because $result.Output
        $result.Output | Should -Match "What if: .*job 'idle'"
    }

    It 'still refuses without -WhatIf' {
        $store = New-TestStorePath 'norun'
        'a' | Add-BatchItem -Job idle -Store $store | Out-Null
        { Stop-BatchRun -Job idle -Store $store -ErrorAction Stop } | Should -Throw -ErrorId 'RunNotActive*'
    }
}

Describe 'Backup-VectorStore -Destination' {
    BeforeAll {
        $source = Join-Path $TestDrive 'index.bin'
        [IO.File]::WriteAllBytes($source, [byte[]](1..64))
    }

    It 'refuses a destination whose parent folder is missing, creating nothing' {
        $missing = Join-Path $TestDrive 'nowhere' 'backups'
        $failure = { Backup-VectorStore -Path $source -Destination $missing -ErrorAction Stop } |
            Should -Throw -ErrorId 'BackupDestinationNotFound*' -ExpectedMessage "*nowhere*does not exist*" -PassThru
        # What the console shows under the message ("Recommendation: ...").
        $failure.ErrorDetails.RecommendedAction | Should -BeLike '*-Force*'
        Test-Path (Join-Path $TestDrive 'nowhere') | Should -BeFalse
    }

    It 'creates the whole path with -Force' {
        $deep = Join-Path $TestDrive 'made' 'by' 'force'
        (Backup-VectorStore -Path $source -Destination $deep -Force).FileCount | Should -Be 1
    }

    It 'creates the backup folder itself when its parent exists' {
        (Backup-VectorStore -Path $source -Destination (Join-Path $TestDrive 'fresh')).FileCount | Should -Be 1
    }
}

Describe 'A backup taken after the store lost data' {
    BeforeAll {
        function Write-FaissIndex([string] $Path, [long] $Vectors) {
            # A flat FAISS index as faiss writes it: the header's ntotal is the vector count a backup records.
            $stream = [System.IO.MemoryStream]::new()
            $writer = [System.IO.BinaryWriter]::new($stream)
            $writer.Write([System.Text.Encoding]::ASCII.GetBytes('IxF2')); $writer.Write([int]4); $writer.Write([long]$Vectors)
            $writer.Write([long]1048576); $writer.Write([long]1048576); $writer.Write([byte]1); $writer.Write([int]1)
            $writer.Write([byte[]]::new(16 * $Vectors)); $writer.Flush()
            [System.IO.File]::WriteAllBytes($Path, $stream.ToArray())
        }

        $index = Join-Path $TestDrive 'faiss_index.bin'
        $backups = Join-Path $TestDrive 'loss-backups'
        Write-FaissIndex $index 116
        $whole = Backup-VectorStore -Path $index -Destination $backups -Name faiss
        Write-FaissIndex $index 7
        $damaged = Backup-VectorStore -Path $index -Destination $backups -Name faiss -WarningVariable backupWarnings -WarningAction SilentlyContinue
    }

    It 'warns when the new set holds fewer items than the one before it' {
        $damaged.ItemCount | Should -Be 7
        "$backupWarnings" | Should -Match 'dropped from 116 to 7.*lost data'
    }

    It 'is passed over by Restore-VectorStore -Latest, with a warning' {
        $restore = Restore-VectorStore -Destination $backups -Latest -Name faiss -Confirm:$false -WarningVariable restoreWarnings -WarningAction SilentlyContinue
        $restore.Backup | Should -Be $whole.Name
        "$restoreWarnings" | Should -Match "Skipped the backup set '$($damaged.Name)'"
    }

    It 'does not hide the loss from a single health sample against the backups' {
        $copy = Join-Path $TestDrive 'cron-check'
        $null = New-Item -ItemType Directory -Path $copy
        $cronIndex = Join-Path $copy 'faiss_index.bin'
        Write-FaissIndex $cronIndex 116
        $cronBackups = Join-Path $TestDrive 'cron-backups'
        Backup-VectorStore -Path $cronIndex -Destination $cronBackups -Name faiss | Out-Null
        Write-FaissIndex $cronIndex 7
        Backup-VectorStore -Path $cronIndex -Destination $cronBackups -Name faiss -WarningAction SilentlyContinue | Out-Null # taken after the loss

        $sample = Get-BatchHealth -VectorStorePath $cronIndex -BackupDestination $cronBackups -BackupName faiss
        $sample.Status | Should -Be 'Critical'
        $sample.VectorStoreLoss | Should -Be 109
    }

    It 'is restored with -Force' {
        (Restore-VectorStore -Destination $backups -Latest -Name faiss -Force -Confirm:$false).Backup | Should -Be $damaged.Name
    }
}

Describe 'JSON a person can read' {
    It 'gives state names and durations in seconds, as about_BatchOps says' {
        $store = New-TestStorePath 'json'
        $summary = 1..3 | Start-BatchRun -Job json -Store $store -ScriptBlock { $_ }
        $json = $summary | Select-Object * -ExcludeProperty Duration | ConvertTo-Json -EnumsAsStrings | ConvertFrom-Json
        $json.State | Should -Be 'Completed'
        $json.StopReason | Should -Be 'Drained'
        $json.DurationSeconds | Should -BeOfType [double]
        $json.DurationSeconds | Should -Be $summary.DurationSeconds
        $json.PSObject.Properties.Name | Should -Not -Contain 'Duration'
        ((Get-BatchItem -Job json -Store $store | Select-Object -First 1 | ConvertTo-Json -EnumsAsStrings | ConvertFrom-Json).Status) | Should -Be 'Succeeded'
    }
}

Describe 'Health samples inside other objects, CSV and JSON' {
    BeforeAll {
        $store = New-TestStorePath 'health'
        1..20 | Start-BatchRun -Job eval -Store $store -RetryLimit 0 -WarningAction SilentlyContinue -ErrorAction SilentlyContinue -ScriptBlock {
            if ($_ % 2) { throw 'HTTP 500' }
            $_
        } | Out-Null
        $sample = Get-BatchHealth -Job eval -Store $store
    }

    It 'has its reasons as a string array, and Summary as one line' {
        , $sample.Reasons | Should -BeOfType [string[]]
        $sample.Reasons | Should -Contain 'error rate 50% over 20 items critical'
        $sample.Summary | Should -Be ($sample.Reasons -join '; ')
        ($sample | ConvertTo-Json | ConvertFrom-Json).Reasons | Should -Be $sample.Reasons
    }

    It 'exports the summary to CSV as text' {
        $csv = Join-Path $TestDrive 'health.csv'
        $sample | Export-Csv -LiteralPath $csv
        (Import-Csv -LiteralPath $csv).Summary | Should -Be $sample.Summary
    }

    It 'shows its checkpoint as a line, not a type name' {
        $list = $sample | Format-List Checkpoint | Out-String
        $list | Should -Match 'Checkpoint : run 1 Completed: 10 of 20 succeeded \(50\.0%\), 10 failed'
    }

    It 'shows an ended run with Activity Ended' {
        (Get-BatchCheckpoint -Job eval -Store $store).Activity | Should -Be 'Ended'
    }
}
