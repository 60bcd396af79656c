# What a scheduler sees: each test writes a job script and runs it as `pwsh -NonInteractive -File`, as cron, a
# systemd unit or Task Scheduler would, and checks the exit code. A failed run must give a non-zero exit code when
# the script asks for it (-ErrorAction Stop or $ErrorActionPreference = 'Stop').

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')

    # Writes a job script that imports the module and uses a store in $TestDrive, runs it, returns its exit code.
    function Invoke-SchedulerJob {
        param([string] $Name, [string] $Body)
        $script = Join-Path $TestDrive "$Name.ps1"
        $store = Join-Path $TestDrive "$Name.db"
        $text = "Import-Module '$ModuleManifest'`n`$store = '$store'`n$Body`n'script-went-on' | Set-Content -LiteralPath (Join-Path '$TestDrive' '$Name.after')"
        Set-Content -LiteralPath $script -Value $text
        & $Pwsh -NoProfile -NonInteractive -File $script *> (Join-Path $TestDrive "$Name.out")
        return $LASTEXITCODE
    }

    function Test-WentOn {
        param([string] $Name)
        Test-Path -LiteralPath (Join-Path $TestDrive "$Name.after")
    }
}

Describe 'Exit codes of a job script run by a scheduler' {
    It 'exits 0 when every item succeeds' {
        Invoke-SchedulerJob -Name 'ok' -Body '1..3 | Start-BatchRun -Job ok -Store $store -ErrorAction Stop -ScriptBlock { $_ }' | Should -Be 0
        Test-WentOn -Name 'ok' | Should -BeTrue
    }

    It 'exits 1 when every item fails, with -ErrorAction Stop' {
        Invoke-SchedulerJob -Name 'allfail' -Body '1..3 | Start-BatchRun -Job allfail -Store $store -RetryLimit 0 -ErrorAction Stop -ScriptBlock { throw "bad item" }' | Should -Be 1
        Test-WentOn -Name 'allfail' | Should -BeFalse
    }

    It 'exits 1 when every item fails, with $ErrorActionPreference = Stop' {
        $body = '$ErrorActionPreference = "Stop"' + "`n" + '1..3 | Start-BatchRun -Job allfail2 -Store $store -RetryLimit 0 -ScriptBlock { throw "bad item" }'
        Invoke-SchedulerJob -Name 'allfail2' -Body $body | Should -Be 1
        Test-WentOn -Name 'allfail2' | Should -BeFalse
    }

    It 'exits 1 when a -Command program exits 7 for every item' {
        # The program is pwsh itself: `pwsh -NoProfile -Command 'exit 7'` is there wherever these tests run.
        $arguments = ('-NoProfile', '-Command', 'exit 7' | ForEach-Object { "'$_'" }) -join ', '
        $body = '1..3 | Start-BatchRun -Job exit7 -Store $store -RetryLimit 0 -ErrorAction Stop -Command ' + "'$Pwsh' -ArgumentList $arguments"
        Invoke-SchedulerJob -Name 'exit7' -Body $body | Should -Be 1
        Test-WentOn -Name 'exit7' | Should -BeFalse
    }

    It 'exits 1 when the circuit breaker stops the run' {
        $body = '1..40 | Start-BatchRun -Job breaker -Store $store -RetryLimit 0 -ThrottleLimit 1 -BatchSize 5 -MaxFailureRatio 0.5 -ErrorAction Stop -ScriptBlock { throw "service down" }'
        Invoke-SchedulerJob -Name 'breaker' -Body $body | Should -Be 1
        Test-WentOn -Name 'breaker' | Should -BeFalse
    }

    It 'exits 1 and runs nothing when the store''s folder is missing' {
        $body = '1..3 | Start-BatchRun -Job nofolder -Store (Join-Path $store "missing" "jobs.db") -ErrorAction Stop -ScriptBlock { $_ }'
        Invoke-SchedulerJob -Name 'nofolder' -Body $body | Should -Be 1
        Test-WentOn -Name 'nofolder' | Should -BeFalse
    }

    It 'exits 1 when the run is refused for a bad argument' {
        Invoke-SchedulerJob -Name 'badarg' -Body '1..3 | Start-BatchRun -Job badarg -Store $store -MaxDuration 0 -ErrorAction Stop -ScriptBlock { $_ }' | Should -Be 1
        Test-WentOn -Name 'badarg' | Should -BeFalse
    }

    It 'reads -MaxDuration 60 as a minute: the items run and the script exits 0' {
        $body = '$s = 1..3 | Start-BatchRun -Job minute -Store $store -MaxDuration 60 -ErrorAction Stop -ScriptBlock { $_ }' + "`n" + 'if ($s.Succeeded -ne 3) { exit 3 }'
        Invoke-SchedulerJob -Name 'minute' -Body $body | Should -Be 0
        Test-WentOn -Name 'minute' | Should -BeTrue
    }

    It 'exits 0 but leaves $? false without -ErrorAction Stop (PowerShell''s rule)' {
        $body = '1..2 | Start-BatchRun -Job quiet -Store $store -RetryLimit 0 -ScriptBlock { throw "bad" } | Out-Null' + "`n" + 'if ($?) { exit 5 }'
        Invoke-SchedulerJob -Name 'quiet' -Body $body | Should -Be 0
        Test-WentOn -Name 'quiet' | Should -BeTrue
    }
}

Describe 'Scheduled feeds that find nothing, and failures from earlier runs' {
    BeforeAll {
        Import-Module $ModuleManifest -Force
    }

    It 'exits 0 with a warning when the feed is empty and there is <What>' -ForEach @(
        @{ What = 'no store and no job yet'; Prepare = '' }
        @{ What = 'a store without the job yet'; Prepare = "'x' | Add-BatchItem -Job other -Store `$store | Out-Null" }
    ) {
        $name = 'empty-' + ($What -replace '\W', '')
        $body = "$Prepare`n`$ErrorActionPreference = 'Stop'`n@() | Start-BatchRun -Job hourly -Store `$store -ScriptBlock { `$_ }"
        Invoke-SchedulerJob -Name $name -Body $body | Should -Be 0
        Test-WentOn -Name $name | Should -BeTrue
        Get-Content -Raw (Join-Path $TestDrive "$name.out") | Should -Match "nothing to do"
    }

    It 'still refuses a run of a job that does not exist when no pipeline feeds it' {
        Invoke-SchedulerJob -Name 'nojob' -Body "'x' | Add-BatchItem -Job other -Store `$store | Out-Null`nStart-BatchRun -Job typo -Store `$store -ErrorAction Stop -ScriptBlock { `$_ }" | Should -Be 1
    }

    It 'warns on the next run that items failed in earlier runs are not tried again' {
        $store = New-TestStorePath 'earlier'
        1..3 | Start-BatchRun -Job broken -Store $store -RetryLimit 0 -ErrorAction SilentlyContinue -WarningAction SilentlyContinue -ScriptBlock { throw 'down' } | Out-Null
        $warnings = @(1..3 | Start-BatchRun -Job broken -Store $store -ScriptBlock { $_ } 3>&1 | Where-Object { $_ -is [System.Management.Automation.WarningRecord] })
        $warnings.Message | Should -Match "still has 3 item\(s\) that failed in earlier runs.*Reset-BatchItem"
    }
}
