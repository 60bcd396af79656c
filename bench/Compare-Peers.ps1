#Requires -Version 7.4
<#
.SYNOPSIS
    Measures BatchOps beside the tools it is compared with, on the machine it runs on, and prints ratios.
.DESCRIPTION
    Script blocks: the same no-op block over the same items at the same throttle with ForEach-Object -Parallel
    (records nothing) and with Start-BatchRun (every outcome committed to a SQLite store).
    Commands: /bin/true once per item with xargs -P (the spawn limit, records nothing), GNU parallel --joblog
    when it is installed, and Start-BatchRun -Command.
    Enqueue: strings through the pipeline alone, and through Add-BatchItem.
    Each figure is the best of -Repeat runs in this one pwsh. Build the module first (./build.sh Build).
.EXAMPLE
    pwsh -NoProfile -File bench/Compare-Peers.ps1
#>
[CmdletBinding()]
param(
    [int] $ScriptItems = 10000,
    [int] $CommandItems = 1000,
    [int] $EnqueueItems = 300000,
    [int] $ThrottleLimit = 2,
    [int] $Repeat = 2,
    [string] $Module = (Join-Path $PSScriptRoot '../out/BatchOps/BatchOps.psd1')
)

$ErrorActionPreference = 'Stop'
Import-Module $Module
$folder = Join-Path ([System.IO.Path]::GetTempPath()) ("batchops-peers-" + [guid]::NewGuid().ToString('N'))
$null = New-Item -ItemType Directory -Path $folder

function Measure-Best {
    # The fastest of $Repeat runs, in items per second; $Setup runs before each (untimed).
    param([int] $Items, [scriptblock] $Action, [scriptblock] $Setup = {})
    $best = 0
    foreach ($i in 1..$Repeat) {
        $null = & $Setup
        $elapsed = (Measure-Command { & $Action }).TotalSeconds
        $best = [math]::Max($best, $Items / $elapsed)
    }
    [math]::Round($best)
}

function New-Store {
    Join-Path $folder ("s" + [guid]::NewGuid().ToString('N') + ".db")
}

$rows = [System.Collections.Generic.List[object]]::new()
function Add-Row([string] $Work, [string] $Peer, $PeerRate, $OurRate) {
    $rows.Add([pscustomobject]@{
        Work       = $Work
        'BatchOps/s' = $OurRate
        Peer       = $Peer
        'Peer/s'   = $PeerRate
        Ratio      = if ($PeerRate) { '{0:N2}x' -f ($OurRate / $PeerRate) } else { '' }
    })
}

try {
    $keys = 1..$ScriptItems | ForEach-Object { "k$_" }

    # Script blocks.
    $parallel = Measure-Best $ScriptItems { $keys | ForEach-Object -Parallel { } -ThrottleLimit $ThrottleLimit }
    $script:store = $null
    $ours = Measure-Best $ScriptItems -Setup { $script:store = New-Store; $keys | Add-BatchItem -Job peers -Store $script:store } {
        $null = Start-BatchRun -Job peers -Store $script:store -ThrottleLimit $ThrottleLimit -ScriptBlock { }
    }
    Add-Row "no-op script block, $ScriptItems items, throttle $ThrottleLimit" 'ForEach-Object -Parallel' $parallel $ours

    # Commands.
    $trueProgram = (Get-Command true -CommandType Application | Select-Object -First 1).Source
    $commandKeys = 1..$CommandItems | ForEach-Object { "c$_" }
    $xargs = Get-Command xargs -CommandType Application -ErrorAction Ignore | Select-Object -First 1
    $xargsRate = if ($xargs) {
        Measure-Best $CommandItems { $commandKeys | & $xargs.Source -n 1 -P $ThrottleLimit $trueProgram }
    }
    $ours = Measure-Best $CommandItems -Setup { $script:store = New-Store; $commandKeys | Add-BatchItem -Job cmd -Store $script:store } {
        $null = Start-BatchRun -Job cmd -Store $script:store -ThrottleLimit $ThrottleLimit -Command $trueProgram
    }
    Add-Row "$trueProgram per item, $CommandItems items, throttle $ThrottleLimit" "xargs -P $ThrottleLimit" $xargsRate $ours
    $gnu = Get-Command parallel -CommandType Application -ErrorAction Ignore | Select-Object -First 1
    if ($gnu) {
        $joblog = Join-Path $folder 'joblog'
        $gnuRate = Measure-Best $CommandItems { $commandKeys | & $gnu.Source --will-cite --joblog $joblog -j $ThrottleLimit $trueProgram }
        Add-Row "$trueProgram per item, $CommandItems items, throttle $ThrottleLimit" 'GNU parallel --joblog' $gnuRate $ours
    }

    # Enqueue.
    $alone = Measure-Best $EnqueueItems { 1..$EnqueueItems | ForEach-Object { "k$_" } | Out-Null }
    $ours = Measure-Best $EnqueueItems -Setup { $script:store = New-Store } {
        1..$EnqueueItems | ForEach-Object { "k$_" } | Add-BatchItem -Job enqueue -Store $script:store
    }
    Add-Row "enqueue $EnqueueItems strings" 'the pipeline alone' $alone $ours

    "BatchOps beside its peers: best of $Repeat, $([Environment]::ProcessorCount) cores, PowerShell $($PSVersionTable.PSVersion), $([System.Runtime.InteropServices.RuntimeInformation]::OSDescription)"
    $rows | Format-Table -AutoSize | Out-String -Width 160
}
finally {
    Remove-Item -LiteralPath $folder -Recurse -Force -ErrorAction Ignore
}
