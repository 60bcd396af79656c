# Functions for build.ps1 and the Pester suite: finding the test tools (Pester, platyPS), running the Pester suite in
# a fresh pwsh, reading test totals, and making the cmdlet help. Dot-source it; it defines functions only.

$script:RepoRoot = Split-Path -Parent $PSScriptRoot
$script:ToolsFolder = Join-Path $script:RepoRoot 'out' 'tools'

function Get-PwshPath {
    <#
        The pwsh executable to start children with: $env:BATCHOPS_PWSH (build.sh sets it), else this process's own
        executable. PowerShell installed as a .NET tool runs inside `dotnet`, which cannot start a pwsh by itself.
    #>
    if ($env:BATCHOPS_PWSH) { return $env:BATCHOPS_PWSH }
    $self = (Get-Process -Id $PID).Path
    if ([System.IO.Path]::GetFileNameWithoutExtension($self) -eq 'dotnet') {
        throw 'This PowerShell runs inside dotnet (a .NET tool); set $env:BATCHOPS_PWSH to its pwsh command, or use ./build.sh.'
    }
    $self
}

function Get-PesterManifest {
    <# The Pester 5 module to test with: an installed Pester 5.x, else 5.9.1 restored from NuGet into out/tools. #>
    $installed = Get-Module -ListAvailable -Name Pester |
        Where-Object { $_.Version.Major -eq 5 } |
        Sort-Object Version -Descending |
        Select-Object -First 1
    if ($installed) { return $installed.Path }

    $manifest = Join-Path $script:ToolsFolder 'packages' 'pester' '5.9.1' 'tools' 'Pester.psd1'
    if (-not (Test-Path $manifest)) {
        Write-Host 'Pester 5 is not installed: restoring Pester 5.9.1 from NuGet into out/tools (once).'
        & dotnet restore (Join-Path $script:RepoRoot 'tools' 'TestTools.csproj') --packages (Join-Path $script:ToolsFolder 'packages') | Out-Null
        if ($LASTEXITCODE -ne 0 -or -not (Test-Path $manifest)) {
            throw 'Could not restore Pester 5.9.1 from NuGet. Install it with: Install-Module Pester -RequiredVersion 5.9.1 -Scope CurrentUser'
        }
    }
    $manifest
}

function Get-PlatyPSModule {
    <# platyPS: an installed one, else the copy beside the repository (../shared/tools/platyPS), else $null. #>
    $installed = Get-Module -ListAvailable -Name platyPS | Sort-Object Version -Descending | Select-Object -First 1
    if ($installed) { return $installed.Path }
    $shared = Join-Path (Split-Path -Parent $script:RepoRoot) 'shared' 'tools' 'platyPS' 'platyPS.psd1'
    if (Test-Path $shared) { return $shared }
    $null
}

function New-BatchOpsHelp {
    <# Makes the MAML help from docs/*.md into OutputPath; returns the file. #>
    param([Parameter(Mandatory)] [string] $OutputPath)
    $platyPS = Get-PlatyPSModule
    if (-not $platyPS) {
        throw 'platyPS is needed to make the cmdlet help from docs/. Install it with: Install-Module platyPS -Scope CurrentUser'
    }
    Import-Module $platyPS -Force
    New-ExternalHelp -Path (Join-Path $script:RepoRoot 'docs') -OutputPath $OutputPath -Force
}

function Update-BatchOpsHelp {
    <# Remakes the committed en-US/BatchOps.dll-Help.xml, which every build stages into the module. #>
    $file = New-BatchOpsHelp -OutputPath (Join-Path $script:RepoRoot 'en-US')
    Write-Host "Cmdlet help written to $($file.FullName); rebuild to stage it."
}

function Get-TrxTotal {
    <# Adds up the <Counters> of the TRX files in a folder (one per test project). #>
    param([Parameter(Mandatory)] [string] $Path)
    $total = [pscustomobject]@{ Passed = 0; Failed = 0; Skipped = 0 }
    foreach ($file in Get-ChildItem -Path $Path -Filter *.trx) {
        $counters = ([xml](Get-Content -LiteralPath $file.FullName -Raw)).TestRun.ResultSummary.Counters
        $total.Passed += [int]$counters.passed
        $total.Failed += [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
        $total.Skipped += [int]$counters.total - [int]$counters.executed
    }
    $total
}

function Invoke-PesterSuite {
    <#
        Runs tests/Pester/*.Tests.ps1 in a fresh pwsh (the module loads anew; nothing of the build's session leaks in)
        and returns the totals. A run that dies before it reports counts as one failure.
    #>
    param(
        [Parameter(Mandatory)] [string] $Root,
        [Parameter(Mandatory)] [string] $Pwsh,
        [Parameter(Mandatory)] [string] $ResultsDirectory
    )
    $totals = Join-Path $ResultsDirectory 'pester-totals.json'
    $run = {
        param($Pester, $Tests, $ResultFile, $Totals)
        Import-Module $Pester -Force
        $configuration = New-PesterConfiguration
        $configuration.Run.Path = $Tests
        $configuration.Run.PassThru = $true
        $configuration.Output.Verbosity = 'Detailed'
        if ($env:NO_COLOR) { $configuration.Output.RenderMode = 'Plaintext' }
        $configuration.TestResult.Enabled = $true
        $configuration.TestResult.OutputFormat = 'NUnitXml'
        $configuration.TestResult.OutputPath = $ResultFile
        $result = Invoke-Pester -Configuration $configuration
        @{
            Passed  = $result.PassedCount
            Failed  = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
            Skipped = $result.SkippedCount + $result.NotRunCount
        } | ConvertTo-Json | Set-Content -LiteralPath $Totals
    }
    $arguments = @(
        (Get-PesterManifest)
        (Join-Path $Root 'tests' 'Pester')
        (Join-Path $ResultsDirectory 'pester.xml')
        $totals
    )
    # Child pwsh processes started by the tests use the same executable.
    $env:BATCHOPS_PWSH = $Pwsh
    & $Pwsh -NoProfile -NonInteractive -Command $run -args $arguments | Out-Host
    if (-not (Test-Path $totals)) {
        Write-Warning "The Pester run ended (exit code $LASTEXITCODE) without reporting its results."
        return [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0 }
    }
    $counts = Get-Content -LiteralPath $totals -Raw | ConvertFrom-Json
    [pscustomobject]@{ Passed = [int]$counts.Passed; Failed = [int]$counts.Failed; Skipped = [int]$counts.Skipped }
}

function Start-TestPostgres {
    <#
    .SYNOPSIS
        Makes sure the PostgreSQL tests have a server: the one BATCHOPS_TEST_POSTGRES names, else a throwaway
        cluster started by tools/test-postgres.sh (Linux; installs the Debian package when missing). Returns the
        folder of the started cluster, or $null. Without a server the PostgreSQL tests are reported as skipped.
    #>
    param([string] $Root)
    if ($env:BATCHOPS_TEST_POSTGRES) {
        Write-Host "PostgreSQL tests: on the server BATCHOPS_TEST_POSTGRES names."
        return $null
    }
    if (-not $IsLinux) {
        Write-Host "PostgreSQL tests: skipped (no server; set BATCHOPS_TEST_POSTGRES to a connection string)."
        return $null
    }
    $folder = Join-Path ([IO.Path]::GetTempPath()) ("batchops-pg-" + [Guid]::NewGuid().ToString('N').Substring(0, 8))
    $connection = & bash (Join-Path $Root 'tools' 'test-postgres.sh') start $folder
    if ($LASTEXITCODE -ne 0 -or -not $connection) {
        Write-Host "PostgreSQL tests: skipped (could not start a server; see the lines above)."
        return $null
    }
    $env:BATCHOPS_TEST_POSTGRES = ($connection | Select-Object -Last 1)
    Write-Host "PostgreSQL tests: on a throwaway server in $folder."
    $folder
}

function Stop-TestPostgres {
    param([string] $Root, [string] $Server)
    if ($Server) {
        & bash (Join-Path $Root 'tools' 'test-postgres.sh') stop $Server
        Remove-Item Env:BATCHOPS_TEST_POSTGRES -ErrorAction Ignore
    }
}
