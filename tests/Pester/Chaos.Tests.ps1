# Kills at scale, at CI size: tests/Chaos/Invoke-KillChaos.ps1 runs a job in job scripts (Start-BatchRun -Command), kills
# the PowerShell running it with SIGKILL again and again at moments drawn from a fixed seed, restarts it, and checks
# the store and the processor's execution log (see the script). The full size (20,000 items, 50 kills) is run by hand;
# the README quotes its figures.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:Chaos = Join-Path $RepoRoot 'tests' 'Chaos' 'Invoke-KillChaos.ps1'

    function Invoke-Chaos([int] $Items, [int] $Kills, [int] $Processes) {
        $folder = Join-Path $TestDrive "chaos-$Processes"
        $result = & $Chaos -Items $Items -Kills $Kills -Processes $Processes -Seed 15 -Folder $folder -Pwsh $Pwsh -Module $ModuleManifest
        $result | Select-Object -ExcludeProperty Failures, Folder | Format-List | Out-String | Write-Host
        $result
    }
}

Describe 'A job killed with SIGKILL again and again' -Skip:(-not $IsLinux -or -not (Get-Command sqlite3 -ErrorAction SilentlyContinue)) {
    It 'runs every item, records each once, and leaves no process behind (one job script)' {
        $result = Invoke-Chaos -Items 2000 -Kills 10 -Processes 1
        $result.Failures | Should -BeNullOrEmpty
        $result.Kills | Should -Be 10
        $result.CrashedRuns | Should -Be 10
        $result.DuplicatesRecorded | Should -Be 0
        $result.DuplicateExecutions | Should -Be $result.InFlightAtKills
        $result.Integrity | Should -Be 'ok'
        $result.Overlaps | Should -Be 0
        $result.LeftoverProcesses | Should -Be 0
    }

    It 'runs every item once with four job scripts feeding and running the job at once' {
        $result = Invoke-Chaos -Items 2000 -Kills 10 -Processes 4
        $result.Failures | Should -BeNullOrEmpty
        $result.Kills | Should -Be 10
        $result.LockErrors | Should -Be 0
        $result.DuplicatesRecorded | Should -Be 0
        $result.DuplicateExecutions | Should -Be $result.InFlightAtKills
        $result.Integrity | Should -Be 'ok'
        $result.Overlaps | Should -Be 0
        $result.LeftoverProcesses | Should -Be 0
    }
}
