# No orphans: the programs a run's items start carry BATCHOPS_RUNNER (the runner's process id and start time), and
# when that PowerShell is killed, the next run of the job kills what it left running before it starts those items again.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')

    # The live processes whose environment, as they started, holds NAME=value (Linux /proc).
    function Get-ProcessWithVariable([string] $Pair) {
        @(Get-ChildItem /proc -Directory | Where-Object Name -match '^\d+$' | Where-Object {
                try {
                    [IO.File]::ReadAllText("$($_.FullName)/stat") -notmatch '\) Z ' -and
                    [Text.Encoding]::UTF8.GetString([IO.File]::ReadAllBytes("$($_.FullName)/environ")).Split([char]0) -contains $Pair
                }
                catch { $false }
            } | ForEach-Object { [int]$_.Name })
    }

    function Wait-Until([scriptblock] $Condition, [string] $What) {
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        while (-not (& $Condition)) {
            if ([DateTime]::UtcNow -gt $deadline) { throw "Gave up waiting for $What." }
            Start-Sleep -Milliseconds 50
        }
    }
}

Describe 'What a run starts' -Skip:(-not $IsLinux) {
    BeforeAll {
        Import-Module $ModuleManifest -Force
    }

    It 'carries the mark of its runner, for -ScriptBlock natives and -Command programs alike, only while the run lasts' {
        $store = New-TestStorePath
        $before = $env:BATCHOPS_RUNNER
        $script = Start-BatchRun -Job marks -Store $store -InputObject 'a' -ScriptBlock { /bin/sh -c 'printf %s "$BATCHOPS_RUNNER"' }
        $command = Start-BatchRun -Job marks2 -Store $store -InputObject 'b' -Command /bin/sh -ArgumentList '-c', 'printf %s "$BATCHOPS_RUNNER"'
        $script.Succeeded | Should -Be 1
        $command.Succeeded | Should -Be 1
        (Get-BatchItem -Job marks -Store $store).Result | Should -Match "^$PID-\d+$"
        (Get-BatchItem -Job marks2 -Store $store).Result | Should -Be (Get-BatchItem -Job marks -Store $store).Result
        $env:BATCHOPS_RUNNER | Should -Be $before
    }

    It 'is killed by the next run when the PowerShell that ran it was killed, before its items start again' {
        $folder = Join-Path $TestDrive 'orphans'
        New-Item -ItemType Directory -Path $folder | Out-Null
        $store = Join-Path $folder 'jobs.db'
        $token = "ORPHAN_TOKEN=$([guid]::NewGuid().ToString('N'))"
        $script = Join-Path $folder 'job.ps1'
        Set-Content -LiteralPath $script -Value @"
`$env:ORPHAN_TOKEN = '$($token.Split('=')[1])'
Import-Module '$ModuleManifest'
'one', 'two' | Start-BatchRun -Job orphans -Store '$store' -ThrottleLimit 2 -BatchSize 1 -ScriptBlock {
    Set-Content -LiteralPath "$folder/pid-`$_" -Value `$PID
    /bin/sh -c "echo started > '$folder/started-`$_'; exec sleep 300"
}
"@
        $process = Start-Process -FilePath $Pwsh -ArgumentList '-NoProfile', '-NonInteractive', '-File', $script -PassThru `
            -RedirectStandardOutput (Join-Path $folder 'out.txt') -RedirectStandardError (Join-Path $folder 'err.txt')
        Wait-Until { (Test-Path "$folder/started-one") -and (Test-Path "$folder/started-two") -and (Get-Content "$folder/pid-two" -ErrorAction Ignore) } 'both items to start'
        Wait-Until { (Get-ProcessWithVariable $token).Count -eq 2 } 'the two sleeps to run'

        $runner = [int](Get-Content "$folder/pid-one")
        & kill -KILL $runner
        $process.WaitForExit()
        (Get-ProcessWithVariable $token).Count | Should -Be 2 -Because 'a SIGKILL leaves the children of PowerShell running'

        $summary = Start-BatchRun -Job orphans -Store $store -ScriptBlock { "done $_" } -WarningVariable warnings -WarningAction SilentlyContinue
        Get-ProcessWithVariable $token | Should -BeNullOrEmpty
        ($warnings -join ' ') | Should -Match '2 process\(es\) it had started and left running were killed'
        $summary.Succeeded | Should -Be 2
        (Get-BatchItem -Job orphans -Store $store).Result | Should -Be 'done one', 'done two'
    }
}
