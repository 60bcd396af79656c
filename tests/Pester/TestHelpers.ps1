# Shared by the Pester suite: dot-source it in BeforeAll. The suite tests the staged module (out/BatchOps), as a
# user imports it, in the pwsh that build.ps1 started (a fresh process).

$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '..' '..')).Path
$script:ModuleManifest = Join-Path $script:RepoRoot 'out' 'BatchOps' 'BatchOps.psd1'
# Child processes use the pwsh that runs the suite (build.ps1 sets BATCHOPS_PWSH; a .NET-tool pwsh runs inside dotnet).
$script:Pwsh = if ($env:BATCHOPS_PWSH) { $env:BATCHOPS_PWSH } else { (Get-Process -Id $PID).Path }

function New-TestStorePath {
    param([string] $Name = 'jobs')
    Join-Path $TestDrive "$Name-$([guid]::NewGuid().ToString('N')).db"
}

function Invoke-JobScript {
    <#
        Runs a script as a scheduler would (pwsh -NoProfile -NonInteractive -File) with the module imported first;
        returns its exit code and output lines.
    #>
    param([Parameter(Mandatory)] [string] $Body, [string] $Name = 'job')
    $script = Join-Path $TestDrive "$Name-$([guid]::NewGuid().ToString('N')).ps1"
    Set-Content -LiteralPath $script -Value "Import-Module '$script:ModuleManifest'`n$Body"
    $output = & $script:Pwsh -NoProfile -NonInteractive -File $script 2>&1
    [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = ($output | Out-String) }
}
