#Requires -Version 7.4
<#
.SYNOPSIS
    Builds the BatchOps module into out/BatchOps, runs its tests, runs the quick-start demo, or remakes the help.

.DESCRIPTION
    Without pwsh on the machine, ./build.sh runs this script in PowerShell 7.6.9 installed from NuGet.

.EXAMPLE
    pwsh ./build.ps1 -Task Demo
    Builds the module, then runs examples/QuickStart.ps1: a real batch run on the embedded SQLite store.

.EXAMPLE
    pwsh ./build.ps1 -Task Test
    Builds, runs the xunit tests (the engine, and the module on the PowerShell engine) once, then the Pester suite
    (tests/Pester) in a fresh pwsh against the staged module, and ends with one line: N passed, N failed.

.EXAMPLE
    pwsh ./build.ps1 -Task Docs
    Remakes the committed cmdlet help, en-US/BatchOps.dll-Help.xml, from docs/*.md with platyPS.
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Docs')]
    [string] $Task = 'Build',

    [ValidateSet('Release', 'Debug')]
    [string] $Configuration = 'Release',

    # Where Test writes the xunit (TRX) and Pester results; out/TestResults by default.
    [string] $ResultsDirectory = (Join-Path $PSScriptRoot 'out' 'TestResults'),

    # Test: only the Pester suite (the module must have been built).
    [switch] $PesterOnly
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
. (Join-Path $PSScriptRoot 'tools' 'BuildTools.ps1')

function Invoke-Native {
    param([string] $Program, [string[]] $Arguments)
    & $Program @Arguments
    if ($LASTEXITCODE -ne 0) {
        throw "$Program $($Arguments -join ' ') failed with exit code $LASTEXITCODE."
    }
}

Push-Location $PSScriptRoot
try {
    if ($Task -eq 'Docs') {
        Update-BatchOpsHelp -Root $PSScriptRoot
        return
    }

    # The build stages the module folder (out/BatchOps) with the manifest, formats, help and native SQLite.
    # The demo needs only the module; everything else builds the whole solution (tests and bench too).
    $project = if ($Task -eq 'Demo') { Join-Path 'src' 'BatchOps' 'BatchOps.csproj' } else { 'BatchOps.sln' }
    if (-not $PesterOnly) {
        Invoke-Native dotnet @('build', $project, '--configuration', $Configuration, '--nologo')
    }

    # A fresh pwsh for anything that imports the module: a loaded binary module cannot be unloaded or rebuilt.
    $pwsh = Get-PwshPath
    switch ($Task) {
        'Demo' {
            # Each object through Out-Host: one output stream would show every type after the first as a plain list.
            $demo = "& '$(Join-Path $PSScriptRoot 'examples' 'QuickStart.ps1')' | ForEach-Object { `$_ | Out-Host }"
            Invoke-Native $pwsh @('-NoProfile', '-NonInteractive', '-Command', $demo)
        }
        'Test' {
            $null = New-Item -ItemType Directory -Force -Path $ResultsDirectory
            Get-ChildItem $ResultsDirectory -File | Remove-Item
            $xunit = [pscustomobject]@{ Passed = 0; Failed = 0; Skipped = 0 }
            # The PostgreSQL store's tests need a server: a throwaway one unless BATCHOPS_TEST_POSTGRES names one.
            $postgres = Start-TestPostgres -Root $PSScriptRoot
            try {
                if (-not $PesterOnly) {
                    & dotnet test BatchOps.sln --configuration $Configuration --no-build --nologo `
                        --logger trx --logger 'console;verbosity=normal' --results-directory $ResultsDirectory
                    $xunit = Get-TrxTotal -Path $ResultsDirectory
                    if ($LASTEXITCODE -ne 0 -and $xunit.Failed -eq 0) {
                        $xunit.Failed = 1 # dotnet test failed without a failed test (a crash, a build error): count it
                    }
                }
                $pester = Invoke-PesterSuite -Root $PSScriptRoot -Pwsh $pwsh -ResultsDirectory $ResultsDirectory
            }
            finally {
                Stop-TestPostgres -Root $PSScriptRoot -Server $postgres
            }
            Write-Host "xunit: $($xunit.Passed) passed, $($xunit.Failed) failed, $($xunit.Skipped) skipped; Pester: $($pester.Passed) passed, $($pester.Failed) failed, $($pester.Skipped) skipped"
            $total = [pscustomobject]@{
                Passed  = $xunit.Passed + $pester.Passed
                Failed  = $xunit.Failed + $pester.Failed
                Skipped = $xunit.Skipped + $pester.Skipped
            }
            $line = "$($total.Passed) passed, $($total.Failed) failed"
            if ($total.Skipped -gt 0) { $line += ", $($total.Skipped) skipped" }
            Write-Host $line
            if ($total.Failed -gt 0) { exit 1 }
        }
    }
}
finally {
    Pop-Location
}
