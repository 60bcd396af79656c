# What `systemctl stop`, `docker stop` and `kill` do to a job script: the run stops as Stop-BatchRun would (final
# checkpoint, last log line, nothing left Running) and pwsh exits with 128 + the signal. Each test starts a job script
# whose items write a marker (the PID of the PowerShell that runs them) and then sleep, waits for the marker, signals
# that PID and waits for the script to end. The PID comes from the marker, not from Start-Process: the .NET-tool pwsh
# is a launcher that runs PowerShell in a child process.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')

    # Starts the job script, signals it once an item has started, returns what a scheduler and a person would see.
    function Invoke-SignalledJob {
        param([string] $Name, [string] $Signal, [switch] $AsJob, [switch] $WithBackgroundRun)
        $folder = Join-Path $TestDrive $Name
        New-Item -ItemType Directory -Path $folder | Out-Null
        $store = Join-Path $folder 'jobs.db'
        $logs = Join-Path $folder 'logs'
        $marker = Join-Path $folder 'started'
        $run = "1..6 | ForEach-Object { ""item`$_"" } | Start-BatchRun -Job $Name -Store '$store' -LogPath '$logs' -ThrottleLimit 2 -BatchSize 2 -StopTimeout 1 -ErrorAction Stop -ScriptBlock { Set-Content -LiteralPath '$marker' -Value `$PID; Start-Sleep -Seconds 60 }"
        if ($AsJob) {
            $run = "`$j = $run -AsJob`n`$j | Wait-Job | Out-Null"
        }
        elseif ($WithBackgroundRun) {
            # Its own log folder: two runs of one process appending to one day's .jsonl can interleave their lines.
            $run = ($run -replace "-Job $Name ", "-Job $Name-bg " -replace [regex]::Escape("'$logs'"), "'$logs-bg'") + " -AsJob | Out-Null`n$run"
        }

        $script = Join-Path $folder 'job.ps1'
        Set-Content -LiteralPath $script -Value "Import-Module '$ModuleManifest'`n$run`n'script-went-on' | Set-Content -LiteralPath '$folder/after'"
        $process = Start-Process -FilePath $Pwsh -ArgumentList '-NoProfile', '-NonInteractive', '-File', $script -PassThru `
            -RedirectStandardOutput (Join-Path $folder 'out.txt') -RedirectStandardError (Join-Path $folder 'err.txt')
        $null = $process.Handle # keeps the exit code readable after the process ends

        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        while (-not (Test-Path -LiteralPath $marker) -or -not (Get-Content -LiteralPath $marker -ErrorAction SilentlyContinue)) {
            if ($process.HasExited -or [DateTime]::UtcNow -gt $deadline) {
                throw "The job script did not start an item: $(Get-Content -Raw (Join-Path $folder 'err.txt'))"
            }
            Start-Sleep -Milliseconds 100
        }

        $target = [int](Get-Content -LiteralPath $marker | Select-Object -First 1)
        # A signal ignored since the process started (nohup, `&` in a script) stays ignored, by design: say so and skip.
        $number = @{ TERM = 15; HUP = 1; INT = 2 }[$Signal]
        $isIgnored = $false
        if (Test-Path -LiteralPath "/proc/$target/status") {
            # Linux only; macOS has no /proc
            $ignored = [Convert]::ToUInt64(((Get-Content "/proc/$target/status" | Where-Object { $_ -like 'SigIgn:*' }) -split '\s+')[1], 16)
            $isIgnored = ($ignored -band ([uint64]1 -shl ($number - 1))) -ne 0
        }
        & kill "-$(if ($isIgnored) { 'TERM' } else { $Signal })" $target
        if (-not $process.WaitForExit(120000)) {
            $process.Kill($true)
            throw 'The job script did not end after the signal.'
        }

        [pscustomobject]@{
            Ignored    = $isIgnored
            ExitCode   = $process.ExitCode
            Checkpoint = Get-BatchCheckpoint -Job $Name -Store $store
            Running    = @(Get-BatchItem -Job $Name -Store $store -Status Running)
            Failed     = @(Get-BatchItem -Job $Name -Store $store -Status Failed)
            Succeeded  = @(Get-BatchItem -Job $Name -Store $store -Status Succeeded)
            LastLine   = Get-Content -LiteralPath (Get-ChildItem -LiteralPath $logs -Filter '*.log').FullName | Select-Object -Last 1
            Events     = Get-Content -LiteralPath (Get-ChildItem -LiteralPath $logs -Filter '*.jsonl').FullName | ForEach-Object { $_ | ConvertFrom-Json }
            WentOn     = Test-Path -LiteralPath (Join-Path $folder 'after')
            Background = if ($WithBackgroundRun) { Get-BatchCheckpoint -Job "$Name-bg" -Store $store }
        }
    }
}

Describe 'A job script stopped by a signal' -Skip:$IsWindows {
    BeforeAll {
        Import-Module $ModuleManifest -Force
    }

    It 'stops gracefully on SIG<Signal> and exits <Code>' -ForEach @(
        @{ Signal = 'TERM'; Code = 143 }
        @{ Signal = 'HUP'; Code = 129 }
        @{ Signal = 'INT'; Code = 130 }
    ) {
        $result = Invoke-SignalledJob -Name "sig$($Signal.ToLower())" -Signal $Signal
        if ($result.Ignored) {
            Set-ItResult -Skipped -Because "SIG$Signal is ignored in this test process, so its children inherit that (started with nohup or & in a script)"
            return
        }

        $result.ExitCode | Should -Be $Code
        $result.Checkpoint.State | Should -Be 'Stopped'
        $result.Running | Should -HaveCount 0
        $result.Failed | Should -HaveCount 0
        $result.Succeeded | Should -HaveCount 0 # the sleeping items were cancelled after -StopTimeout and returned to the queue
        $result.LastLine | Should -Match 'Stopped'
        @($result.Events | Where-Object event -EQ 'RunFinished') | Should -HaveCount 1
        @($result.Events | Where-Object { $_.event -eq 'Warning' -and $_.message -like "Caught SIG$Signal*" }) | Should -HaveCount 1
        $result.WentOn | Should -BeFalse
    }

    It 'stops an -AsJob run on SIGTERM and exits 143' {
        $result = Invoke-SignalledJob -Name 'sigjob' -Signal 'TERM' -AsJob
        $result.ExitCode | Should -Be 143
        $result.Checkpoint.State | Should -Be 'Stopped'
        $result.Running | Should -HaveCount 0
        $result.Failed | Should -HaveCount 0
        @($result.Events | Where-Object event -EQ 'RunFinished') | Should -HaveCount 1
        $result.WentOn | Should -BeFalse
    }

    It 'waits for an -AsJob run beside the stopped one before PowerShell exits 143' {
        $result = Invoke-SignalledJob -Name 'sigboth' -Signal 'TERM' -WithBackgroundRun
        $result.ExitCode | Should -Be 143
        $result.Checkpoint.State | Should -Be 'Stopped'
        $result.Background.State | Should -Be 'Stopped'
        $result.WentOn | Should -BeFalse
    }
}
