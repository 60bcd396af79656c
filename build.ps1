#Requires -Version 7.0
<#
.SYNOPSIS
    Builds the BatchOps module into out/BatchOps, runs its tests, or runs the quick-start demo.

.EXAMPLE
    pwsh ./build.ps1 -Task Demo
    Builds the module, then runs examples/QuickStart.ps1: a real batch run on the embedded SQLite store.

.EXAMPLE
    pwsh ./build.ps1 -Task Test
    Builds, runs the xunit tests (the engine, and the module on the PowerShell engine), then the Pester tests in
    a fresh pwsh where Pester 5 is installed.
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo')]
    [string] $Task = 'Build',

    [ValidateSet('Release', 'Debug')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

function Invoke-Native {
    param([string] $Program, [string[]] $Arguments)
    & $Program @Arguments
    if ($LASTEXITCODE -ne 0) {
        throw "$Program $($Arguments -join ' ') failed with exit code $LASTEXITCODE."
    }
}

Push-Location $PSScriptRoot
try {
    # The build also stages the module folder (out/BatchOps) with the manifest, formats, help and native SQLite.
    Invoke-Native dotnet @('build', 'BatchOps.sln', '--configuration', $Configuration, '--nologo')
    $module = Join-Path $PSScriptRoot 'out' 'BatchOps'

    # Cmdlet help: platyPS markdown to MAML, where platyPS is installed and the markdown exists.
    $docs = Join-Path $PSScriptRoot 'docs'
    if ((Test-Path $docs) -and (Get-Module -ListAvailable -Name platyPS)) {
        Import-Module platyPS
        New-ExternalHelp -Path $docs -OutputPath (Join-Path $module 'en-US') -Force | Out-Null
    }

    # A fresh pwsh for anything that imports the module: a loaded binary module cannot be unloaded or rebuilt.
    $pwsh = (Get-Process -Id $PID).Path
    switch ($Task) {
        'Demo' {
            Invoke-Native $pwsh @('-NoProfile', '-File', (Join-Path $PSScriptRoot 'examples' 'QuickStart.ps1'))
        }
        'Test' {
            Invoke-Native dotnet @('test', 'BatchOps.sln', '--configuration', $Configuration, '--no-build', '--nologo')
            $pester = Get-Module -ListAvailable -Name Pester | Where-Object Version -GE ([version]'5.0.0') | Sort-Object Version -Descending | Select-Object -First 1
            if ($pester) {
                $run = "Import-Module Pester -MinimumVersion 5.0.0; `$c = New-PesterConfiguration; `$c.Run.Path = '$(Join-Path $PSScriptRoot 'tests')'; `$c.Run.Exit = `$true; `$c.Output.Verbosity = 'Detailed'; Invoke-Pester -Configuration `$c"
                Invoke-Native $pwsh @('-NoProfile', '-Command', $run)
            }
            else {
                Write-Warning 'Pester 5 is not installed, so tests/*.Tests.ps1 were skipped. Install it with: Install-Module Pester -MinimumVersion 5.0.0 -Scope CurrentUser'
            }
        }
    }
}
finally {
    Pop-Location
}
