#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
<#
    Bad input at scale (issue 15, item 6): one table of bad inputs across the cmdlets — types, ranges, paths, names
    with control characters, 1 MB keys, payloads that do not serialise, cyclic objects, $null in the pipeline — and
    for each: its own ErrorId, a message that names the value, and nothing written (the store's bytes are the same
    before and after). Script blocks that write to the host or read input are run, not refused: the last block
    checks what a run does with them.
#>

BeforeDiscovery {
    $huge = 'k' * 1MB
    # Case: what is fed. Id: the ErrorId (FullyQualifiedErrorId up to the comma). Names: what the message must quote.
    # Run: the command, given the store path ($s) and a scratch folder ($t); it must end in an error.
    $script:Cases = @(
        # Run options: ranges and types
        @{ Case = 'Start-BatchRun -BatchSize 0'; Id = 'BatchSizeInvalid'; Names = '0'; Run = { param($s, $t) Start-BatchRun -Job embed -Store $s -BatchSize 0 -ScriptBlock { $_ } } }
        @{ Case = 'Start-BatchRun -BatchSize -5'; Id = 'BatchSizeInvalid'; Names = '-5'; Run = { param($s, $t) Start-BatchRun -Job embed -Store $s -BatchSize -5 -ScriptBlock { $_ } } }
        @{ Case = 'Start-BatchRun -BatchSize ten (a string)'; Id = 'CannotConvertArgumentNoMessage'; Names = 'ten'; Run = { param($s, $t) Start-BatchRun -Job embed -Store $s -BatchSize 'ten' -ScriptBlock { $_ } } }
        @{ Case = 'Start-BatchRun -ThrottleLimit 0'; Id = 'ThrottleLimitInvalid'; Names = '0'; Run = { param($s, $t) Start-BatchRun -Job embed -Store $s -ThrottleLimit 0 -ScriptBlock { $_ } } }
        @{ Case = 'Start-BatchRun -RetryLimit -1'; Id = 'RetryLimitInvalid'; Names = '-1'; Run = { param($s, $t) Start-BatchRun -Job embed -Store $s -RetryLimit -1 -ScriptBlock { $_ } } }
        @{ Case = 'Start-BatchRun -RetryDelay -3'; Id = 'RetryDelayInvalid'; Names = '-3'; Run = { param($s, $t) Start-BatchRun -Job embed -Store $s -RetryDelay -3 -ScriptBlock { $_ } } }
        @{ Case = 'Start-BatchRun -ItemTimeout 0'; Id = 'ItemTimeoutInvalid'; Names = '0'; Run = { param($s, $t) Start-BatchRun -Job embed -Store $s -ItemTimeout 0 -ScriptBlock { $_ } } }
        @{ Case = 'Start-BatchRun -RateLimit -2'; Id = 'RateLimitInvalid'; Names = '-2'; Run = { param($s, $t) Start-BatchRun -Job embed -Store $s -RateLimit -2 -ScriptBlock { $_ } } }
        @{ Case = 'Start-BatchRun -TargetPercent 150'; Id = 'TargetPercentInvalid'; Names = '150'; Run = { param($s, $t) Start-BatchRun -Job embed -Store $s -TargetPercent 150 -ScriptBlock { $_ } } }
        @{ Case = 'Start-BatchRun -TargetPercent NaN'; Id = 'TargetPercentInvalid'; Names = 'NaN'; Run = { param($s, $t) Start-BatchRun -Job embed -Store $s -TargetPercent ([double]::NaN) -ScriptBlock { $_ } } }
        @{ Case = 'Start-BatchRun -MaxItems 0'; Id = 'MaxItemsInvalid'; Names = '0'; Run = { param($s, $t) Start-BatchRun -Job embed -Store $s -MaxItems 0 -ScriptBlock { $_ } } }
        @{ Case = 'Start-BatchRun -MaxDuration -60'; Id = 'MaxDurationInvalid'; Names = '-'; Run = { param($s, $t) Start-BatchRun -Job embed -Store $s -MaxDuration -60 -ScriptBlock { $_ } } }
        @{ Case = 'Start-BatchRun -MaxDuration soon (not a duration)'; Id = 'ParameterArgumentTransformationError'; Names = 'soon'; Run = { param($s, $t) Start-BatchRun -Job embed -Store $s -MaxDuration 'soon' -ScriptBlock { $_ } } }
        @{ Case = 'Start-BatchRun -BatchDelay -1'; Id = 'BatchDelayInvalid'; Names = '-'; Run = { param($s, $t) Start-BatchRun -Job embed -Store $s -BatchDelay -1 -ScriptBlock { $_ } } }
        @{ Case = 'Start-BatchRun -StopTimeout -1'; Id = 'StopTimeoutInvalid'; Names = '-'; Run = { param($s, $t) Start-BatchRun -Job embed -Store $s -StopTimeout -1 -ScriptBlock { $_ } } }
        @{ Case = 'Start-BatchRun -MaxMemoryPercent 101'; Id = 'MaxMemoryPercentInvalid'; Names = '101'; Run = { param($s, $t) Start-BatchRun -Job embed -Store $s -MaxMemoryPercent 101 -ScriptBlock { $_ } } }
        @{ Case = 'Start-BatchRun -MaxFailureRatio 1.5'; Id = 'MaxFailureRatioInvalid'; Names = '1.5'; Run = { param($s, $t) Start-BatchRun -Job embed -Store $s -MaxFailureRatio 1.5 -ScriptBlock { $_ } } }
        @{ Case = 'Start-BatchRun -KeepRuns 0'; Id = 'KeepRunsInvalid'; Names = '0'; Run = { param($s, $t) Start-BatchRun -Job embed -Store $s -KeepRuns 0 -ScriptBlock { $_ } } }
        @{ Case = 'Start-BatchRun -BackupEvery 2 without -BackupPath'; Id = 'RunBackupInvalid'; Names = '-BackupPath'; Run = { param($s, $t) Start-BatchRun -Job embed -Store $s -BackupEvery 2 -ScriptBlock { $_ } } }
        @{ Case = 'Start-BatchRun with no processor'; Id = 'ProcessorMissing'; Names = '-ScriptBlock'; Run = { param($s, $t) Start-BatchRun -Job embed -Store $s } }
        @{ Case = 'Start-BatchRun -Command that does not exist'; Id = 'CommandNotFound'; Names = 'no-such-program-b0'; Run = { param($s, $t) Start-BatchRun -Job embed -Store $s -Command 'no-such-program-b0' } }
        @{ Case = 'Start-BatchRun -MemoryWait -1'; Id = 'MemoryWaitInvalid'; Names = '-1 s'; Run = { param($s, $t) Start-BatchRun -Job embed -Store $s -MemoryWait -1 -ScriptBlock { $_ } } }
        @{ Case = 'Start-BatchRun -LogPath on a drive that does not exist'; Id = 'LogPathInvalid'; Names = 'nodrive9:'; Run = { param($s, $t) Start-BatchRun -Job embed -Store $s -LogPath 'nodrive9:\logs' -ScriptBlock { $_ } } }
        @{ Case = 'Start-BatchRun -LogPath under a file'; Id = 'LogPathInvalid'; Names = 'a-file.txt'; Run = { param($s, $t) Set-Content (Join-Path $t 'a-file.txt') x; Start-BatchRun -Job embed -Store $s -LogPath (Join-Path $t 'a-file.txt' 'logs') -ScriptBlock { $_ } } }

        # Job names: empty, wildcards, control characters, unknown
        @{ Case = 'a job name with a tab'; Id = 'JobNameInvalid'; Names = 'bad\tname'; Run = { param($s, $t) 'x' | Add-BatchItem -Job "bad`tname" -Store $s } }
        @{ Case = 'a job name with a newline'; Id = 'JobNameInvalid'; Names = 'line\nbreak'; Run = { param($s, $t) 'x' | Start-BatchRun -Job "line`nbreak" -Store $s -ScriptBlock { $_ } } }
        @{ Case = 'a job name with an escape character'; Id = 'JobNameInvalid'; Names = 'esc\u001B'; Run = { param($s, $t) Get-BatchJob -Job "esc$([char]27)[31m" -Store $s } }
        @{ Case = 'a job name with a NUL'; Id = 'JobNameInvalid'; Names = 'nul\u0000x'; Run = { param($s, $t) 'x' | Add-BatchItem -Job "nul$([char]0)x" -Store $s } }
        @{ Case = 'a job name with wildcards to a changing command'; Id = 'JobNameInvalid'; Names = 'emb*'; Run = { param($s, $t) Clear-BatchJob -Job 'emb*' -Store $s -Confirm:$false } }
        @{ Case = 'a job name of spaces'; Id = 'JobNameInvalid'; Names = '   '; Run = { param($s, $t) 'x' | Add-BatchItem -Job '   ' -Store $s } }
        @{ Case = 'a job name of 1 MB'; Id = 'JobNameInvalid'; Names = '(1,048,576 characters)'; Run = { param($s, $t) 'x' | Add-BatchItem -Job $huge -Store $s } }
        @{ Case = 'an unknown job to Get-BatchItem'; Id = 'JobNotFound'; Names = 'embedd'; Run = { param($s, $t) Get-BatchItem -Job embedd -Store $s } }
        @{ Case = 'an unknown job to Remove-BatchJob'; Id = 'JobNotFound'; Names = 'nosuchjob'; Run = { param($s, $t) Remove-BatchJob -Job nosuchjob -Store $s -Confirm:$false } }
        @{ Case = 'an unknown job to Start-BatchRun with no input'; Id = 'JobNotFound'; Names = 'nosuchjob'; Run = { param($s, $t) Start-BatchRun -Job nosuchjob -Store $s -ScriptBlock { $_ } } }

        # Keys and payloads
        @{ Case = 'a 1 MB key'; Id = 'KeyTooLong'; Names = "'kkkkkkkk*(1,048,576 characters)'"; Run = { param($s, $t) $huge | Add-BatchItem -Job embed -Store $s } }
        @{ Case = 'a 1 MB key among good ones'; Id = 'KeyTooLong'; Names = "'kkkkkkkk*(1,048,576 characters)'"; Run = { param($s, $t) 'good-1', $huge, 'good-2' | Add-BatchItem -Job embed -Store $s } }
        @{ Case = 'an empty key'; Id = 'KeyEmpty'; Names = "''"; Run = { param($s, $t) '' | Add-BatchItem -Job embed -Store $s } }
        @{ Case = '$null in the pipeline'; Id = 'KeyEmpty'; Names = 'null'; Run = { param($s, $t) 'good-1', $null | Add-BatchItem -Job embed -Store $s } }
        @{ Case = 'a key with a control character'; Id = 'KeyInvalid'; Names = 'bell\u0007'; Run = { param($s, $t) "bell$([char]7)" | Add-BatchItem -Job embed -Store $s } }
        @{ Case = 'a -Key property the objects lack'; Id = 'KeyPropertyNotFound'; Names = 'Sku'; Run = { param($s, $t) [pscustomobject]@{ Id2 = 1 } | Add-BatchItem -Job embed -Store $s -Key Sku } }
        @{ Case = 'an object with no key to infer'; Id = 'KeyNotInferable'; Names = 'its properties: Colour'; Run = { param($s, $t) [pscustomobject]@{ Colour = 'red' } | Add-BatchItem -Job embed -Store $s } }
        @{ Case = 'a -Key script block that throws'; Id = 'KeyScriptFailed'; Names = 'no key today'; Run = { param($s, $t) 'a' | Add-BatchItem -Job embed -Store $s -Key { throw 'no key today' } } }
        @{ Case = 'a cyclic object as payload'; Id = 'PayloadNotSerializable'; Names = "Item 'loop-1'*'Self'*cycle"; Run = { param($s, $t) $o = [pscustomobject]@{ Id = 'loop-1'; Self = $null }; $o.Self = $o; $o | Add-BatchItem -Job embed -Store $s } }
        @{ Case = 'a payload property that throws when read'; Id = 'PayloadNotSerializable'; Names = "Item 'thrower-1'*'Boom'*cannot read me"; Run = { param($s, $t) $o = [pscustomobject]@{ Id = 'thrower-1' }; $o | Add-Member -MemberType ScriptProperty -Name Boom -Value { throw 'cannot read me' }; $o | Add-BatchItem -Job embed -Store $s } }
        @{ Case = 'an unknown -Key to Reset-BatchItem'; Id = 'ItemNotFound'; Names = 'no-such-item'; Run = { param($s, $t) Reset-BatchItem -Job embed -Key 'no-such-item' -Store $s -Confirm:$false } }
        @{ Case = 'Get-BatchItem -Status Bogus'; Id = 'CannotConvertArgumentNoMessage'; Names = 'Bogus'; Run = { param($s, $t) Get-BatchItem -Job embed -Status Bogus -Store $s } }
        @{ Case = 'Get-BatchItem -First 0'; Id = 'ParameterArgumentValidationError'; Names = '0'; Run = { param($s, $t) Get-BatchItem -Job embed -First 0 -Store $s } }

        # Store paths
        @{ Case = 'a store path that is a folder'; Id = 'StorePathInvalid'; Names = 'a-folder'; Run = { param($s, $t) $null = New-Item -ItemType Directory (Join-Path $t 'a-folder') -Force; 'x' | Add-BatchItem -Job embed -Store (Join-Path $t 'a-folder') } }
        @{ Case = 'a store in a missing folder'; Id = 'StoreFolderNotFound'; Names = 'missing-folder'; Run = { param($s, $t) 'x' | Add-BatchItem -Job embed -Store (Join-Path $t 'missing-folder' 'jobs.db') } }
        @{ Case = 'a store that is not SQLite'; Id = 'StoreNotSqlite'; Names = 'notes.db'; Run = { param($s, $t) Set-Content (Join-Path $t 'notes.db') 'my notes'; 'x' | Add-BatchItem -Job embed -Store (Join-Path $t 'notes.db') } }
        @{ Case = 'a store that does not exist, to read'; Id = 'StoreNotFound'; Names = 'absent.db'; Run = { param($s, $t) Get-BatchCheckpoint -Job embed -Store (Join-Path $t 'absent.db') } }
        @{ Case = 'a store path with a NUL'; Id = 'StorePathInvalid'; Names = 'bad'; Run = { param($s, $t) Get-BatchJob -Store (Join-Path $t "bad$([char]0).db") } }
        @{ Case = 'a store on a provider that is not the file system'; Id = 'StoreLocationNotFileSystem'; Names = 'Env:'; Run = { param($s, $t) Get-BatchJob -Store 'Env:\jobs.db' } }

        # Waiting, runs, health
        @{ Case = 'Wait-BatchJob -Timeout -5'; Id = 'TimeoutInvalid'; Names = '-'; Run = { param($s, $t) Wait-BatchJob -Job embed -Complete -Timeout -5 -Store $s } }
        @{ Case = 'Wait-BatchJob -TargetPercent 200'; Id = 'TargetPercentInvalid'; Names = '200'; Run = { param($s, $t) Wait-BatchJob -Job embed -TargetPercent 200 -Store $s } }
        @{ Case = 'Remove-BatchRun -OlderThanDays -1'; Id = 'ParameterArgumentValidationError'; Names = '-1'; Run = { param($s, $t) Remove-BatchRun -Job embed -OlderThanDays -1 -Store $s -Confirm:$false } }
        @{ Case = 'Watch-BatchHealth -Interval 0'; Id = 'HealthIntervalInvalid'; Names = '0'; Run = { param($s, $t) Watch-BatchHealth -Job embed -Interval 0 -Count 1 -Store $s } }
        @{ Case = 'Watch-BatchHealth -Count 0'; Id = 'HealthCountInvalid'; Names = 'it was 0'; Run = { param($s, $t) Watch-BatchHealth -Job embed -Interval 1 -Count 0 -Store $s } }
        @{ Case = 'Watch-BatchHealth -AutoRestore without -VectorStorePath'; Id = 'AutoRestoreInvalid'; Names = '-VectorStorePath'; Run = { param($s, $t) Watch-BatchHealth -Job embed -AutoRestore -BackupDestination (Join-Path $t 'backups') -Count 1 -Store $s } }
        @{ Case = 'Get-BatchHealth -VectorStorePath on a drive that does not exist'; Id = 'VectorStorePathInvalid'; Names = 'nodrive9:'; Run = { param($s, $t) Get-BatchHealth -Job embed -VectorStorePath 'nodrive9:\index.bin' -Store $s } }
        @{ Case = 'Wait-BatchJob -PollInterval 0'; Id = 'PollIntervalInvalid'; Names = 'it was 0'; Run = { param($s, $t) Wait-BatchJob -Job embed -Complete -PollInterval 0 -Store $s } }
        @{ Case = 'Get-BatchHealth -Threshold with an unknown name'; Id = 'HealthThresholdInvalid'; Names = 'Bogus'; Run = { param($s, $t) Get-BatchHealth -Job embed -Threshold @{ Bogus = 1 } -Store $s } }
        @{ Case = 'Get-BatchHealth -Threshold with a text value'; Id = 'HealthThresholdInvalid'; Names = 'lots'; Run = { param($s, $t) Get-BatchHealth -Job embed -Threshold @{ MemoryDegradedPercent = 'lots' } -Store $s } }

        # Backups
        @{ Case = 'Backup-VectorStore of a missing file'; Id = 'BackupSourceNotFound'; Names = 'no-index.bin'; Run = { param($s, $t) Backup-VectorStore -Path (Join-Path $t 'no-index.bin') -Destination (Join-Path $t 'backups') -Force } }
        @{ Case = 'Backup-VectorStore with a name holding a slash'; Id = 'BackupNameInvalid'; Names = 'bad/name'; Run = { param($s, $t) Set-Content (Join-Path $t 'index.bin') x; Backup-VectorStore -Path (Join-Path $t 'index.bin') -Destination (Join-Path $t 'backups') -Name 'bad/name' -Force } }
        @{ Case = 'Backup-VectorStore -Keep 0'; Id = 'RetentionInvalid'; Names = '0'; Run = { param($s, $t) Set-Content (Join-Path $t 'index.bin') x; Backup-VectorStore -Path (Join-Path $t 'index.bin') -Destination (Join-Path $t 'backups') -Keep 0 -Force } }
        @{ Case = 'Backup-VectorStore into its own source folder'; Id = 'BackupDestinationInvalid'; Names = 'src-folder'; Run = { param($s, $t) $f = Join-Path $t 'src-folder'; $null = New-Item -ItemType Directory $f -Force; Set-Content (Join-Path $f 'i.bin') x; Backup-VectorStore -Path $f -Destination (Join-Path $f 'backups') -Force } }
        @{ Case = 'Restore-VectorStore -Latest from an empty folder'; Id = 'BackupNotFound'; Names = 'empty-backups'; Run = { param($s, $t) $null = New-Item -ItemType Directory (Join-Path $t 'empty-backups') -Force; Restore-VectorStore -Destination (Join-Path $t 'empty-backups') -Latest -Confirm:$false } }
        @{ Case = 'Test-VectorStoreBackup of a set that is not there'; Id = 'BackupNotFound'; Names = 'missing-set'; Run = { param($s, $t) Test-VectorStoreBackup -Path (Join-Path $t 'missing-set') } }
        @{ Case = 'Remove-VectorStoreBackup of a folder that is not a set'; Id = 'BackupInvalid'; Names = 'not-a-set'; Run = { param($s, $t) $null = New-Item -ItemType Directory (Join-Path $t 'not-a-set') -Force; Remove-VectorStoreBackup -Path (Join-Path $t 'not-a-set') -Confirm:$false } }
    )
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module $ModuleManifest -Force
    $huge = 'k' * 1MB

    $script:Store = New-TestStorePath -Name 'badinput'
    1..5 | ForEach-Object { "doc-$_" } | Start-BatchRun -Job embed -Store $Store -MaxItems 3 -ScriptBlock { "done $_" } | Out-Null
    function Get-StoreHash { (Get-FileHash -LiteralPath $Store -Algorithm SHA256).Hash }
}

Describe 'Bad input is refused with its own ErrorId, a message naming the value, and nothing written' {
    It '<Case>' -ForEach $Cases {
        $scratch = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory -Path $scratch
        $before = Get-StoreHash
        $caught = $null
        $ErrorActionPreference = 'Stop' # non-terminating errors too end up in the catch
        try {
            & $Run $Store $scratch | Out-Null
        }
        catch {
            $caught = $_
        }

        $caught | Should -Not -BeNullOrEmpty -Because 'bad input must end in an error'
        ($caught.FullyQualifiedErrorId -split ',')[0] | Should -Be $Id
        $message = if ($caught.ErrorDetails.Message) { $caught.ErrorDetails.Message } else { $caught.Exception.Message }
        $message | Should -BeLike "*$Names*"
        Get-StoreHash | Should -Be $before -Because 'a refused command writes nothing'
        $wal = Get-Item -LiteralPath "$Store-wal" -ErrorAction Ignore
        if ($wal) { $wal.Length | Should -Be 0 -Because 'nothing is left to be folded into the store either' }
    }

    It 'has at least 40 distinct cases' {
        $Cases.Count | Should -BeGreaterOrEqual 40
    }
}

Describe 'The advice of a refusal is its RecommendedAction, in the words of the command that refused' {
    It '<Case>' -ForEach @(
        @{ Case = 'a store in a missing folder'; Advice = '*New-Item -ItemType Directory*'; Run = { param($t) 'x' | Add-BatchItem -Job embed -Store (Join-Path $t 'missing' 'jobs.db') } }
        @{ Case = 'Start-BatchRun -LogPath on a missing drive'; Advice = 'Pass -LogPath*'; Run = { param($t) 'x' | Start-BatchRun -Job embed -Store (Join-Path $t 'jobs.db') -LogPath 'nodrive9:\logs' -ScriptBlock { $_ } } }
        @{ Case = 'Get-VectorStoreBackup of a missing folder'; Advice = 'Pass -Destination*'; Run = { param($t) Get-VectorStoreBackup -Destination (Join-Path $t 'no-backups') } }
        @{ Case = 'Get-BatchHealth -BackupDestination on a missing drive'; Advice = 'Pass -BackupDestination*'; Run = { param($t) Get-BatchHealth -VectorStorePath (Join-Path $t 'index.bin') -BackupDestination 'nodrive9:\backups' } }
    ) {
        $caught = $null
        $ErrorActionPreference = 'Stop' # non-terminating errors too end up in the catch
        try { & $Run $TestDrive | Out-Null } catch { $caught = $_ }

        $caught | Should -Not -BeNullOrEmpty
        $caught.ErrorDetails.RecommendedAction | Should -BeLike $Advice
        $caught.Exception.Message | Should -Not -BeLike $Advice -Because 'the engine says what happened; the advice is said once, beside it'
    }
}

Describe 'Script blocks that use the host' {
    # Not refused (a script block may call anything), but they must not break or hang a run: runspaces of a run have
    # no console, so writing to the host goes to the information stream and reading from it fails the item at once.
    It 'Write-Host in the block does not fail the item' {
        $store = New-TestStorePath -Name 'host'
        $summary = 'a', 'b' | Start-BatchRun -Job writes -Store $store -RetryLimit 0 -ScriptBlock { Write-Host "hello $_"; "ok $_" } -ErrorVariable err
        $err.Count | Should -Be 0
        $summary.Succeeded | Should -Be 2
        (Get-BatchItem -Job writes -Key a -Store $store).Result | Should -Be 'ok a'
    }

    It 'Read-Host in the block fails that item with HostException, naming it, and the run goes on' {
        $store = New-TestStorePath -Name 'host'
        $summary = 'c', 'd' | Start-BatchRun -Job reads -Store $store -RetryLimit 0 -ScriptBlock { Read-Host 'your name' } -ErrorVariable err -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        $summary.Failed | Should -Be 2
        ($err[0].FullyQualifiedErrorId -split ',')[0] | Should -Be 'RunItemsFailed'
        $err[0].Exception.Message | Should -BeLike "*'c' (HostException*user interaction*"
        (Get-BatchItem -Job reads -Key d -Store $store).LastError | Should -BeLike '*user interaction*'
    }
}
