<#
.SYNOPSIS
    A background document processor with BatchOps: a continuous run that backs up its vector store first and
    every two batches, sleeps deeply when idle, wakes for new documents, and is watched for health and data loss.

.DESCRIPTION
    The "vector store" is a FAISS-style index file whose header holds the vector count; the stand-in "embedder" adds one
    vector per document (one writer: -ThrottleLimit 1, as a FAISS index allows). The script:
      1. starts the processor in the background (Start-BatchRun -Continuous -AsJob) with -BackupFirst -BackupEvery 2;
      2. feeds documents in two waves (Add-BatchItem), the second while the run is in deep sleep, which wakes it;
      3. forces deep sleep and wakes it again (Suspend-BatchRun, Resume-BatchRun);
      4. damages the index, and lets Watch-BatchHealth -AutoRestore restore the newest backup;
      5. stops the run and shows its summary, its checkpoint (with the last backup) and the health samples.

.PARAMETER Folder
    Where the store, the index and the backups go. Defaults to a new folder in the temporary folder.

.PARAMETER Documents
    Documents per wave.
#>
[CmdletBinding()]
param(
    [string] $Folder = [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), 'batchops-background-' + [guid]::NewGuid().ToString('N').Substring(0, 8)),
    [int] $Documents = 6
)

$ErrorActionPreference = 'Stop'
if (-not (Get-Module BatchOps)) {
    Import-Module ([System.IO.Path]::Combine($PSScriptRoot, '..', 'out', 'BatchOps', 'BatchOps.psd1'))
}

$null = [System.IO.Directory]::CreateDirectory($Folder)
$store = [System.IO.Path]::Combine($Folder, 'jobs.db')
$index = [System.IO.Path]::Combine($Folder, 'faiss_index.bin')
$backups = [System.IO.Path]::Combine($Folder, 'backups')

# An IndexFlatL2 header (type, dimension, vector count, two 1<<20 fields, is_trained, metric) and 16 bytes per vector.
function Write-Index([string] $Path, [long] $Vectors) {
    $stream = [System.IO.MemoryStream]::new(); $writer = [System.IO.BinaryWriter]::new($stream)
    $writer.Write([System.Text.Encoding]::ASCII.GetBytes('IxF2')); $writer.Write([int]4); $writer.Write([long]$Vectors)
    $writer.Write([long]1048576); $writer.Write([long]1048576); $writer.Write([byte]1); $writer.Write([int]1)
    $writer.Write([byte[]]::new(16 * $Vectors)); $writer.Flush()
    [System.IO.File]::WriteAllBytes($Path, $stream.ToArray())
}

function Wait-Until([scriptblock] $Condition, [string] $What) {
    $deadline = [datetime]::UtcNow.AddSeconds(60)
    while (-not (& $Condition)) {
        if ([datetime]::UtcNow -gt $deadline) { throw "Gave up waiting for $What." }
        [System.Threading.Thread]::Sleep(100)
    }
}

# What the run is doing (nothing yet until the background run has started).
function Get-Activity {
    $checkpoint = Get-BatchCheckpoint -Job documents -Store $store
    if ($checkpoint) { $checkpoint.Activity.ToString() }
}

Write-Index $index 0
$wave = 0
function Add-Wave {
    $script:wave++
    1..$Documents | ForEach-Object { 'doc-{0}-{1:D3}' -f $script:wave, $_ } | Add-BatchItem -Job documents -Store $store | Out-Null
}

# The embedder: reads the index's vector count and writes the index back with one vector more.
$embed = {
    $bytes = [System.IO.File]::ReadAllBytes($index)
    $vectors = [System.BitConverter]::ToInt64($bytes, 8)
    $stream = [System.IO.MemoryStream]::new(); $writer = [System.IO.BinaryWriter]::new($stream)
    $writer.Write($bytes, 0, 8); $writer.Write([long]($vectors + 1)); $writer.Write($bytes, 16, 21)
    $writer.Write([byte[]]::new(16 * ($vectors + 1))); $writer.Flush()
    [System.IO.File]::WriteAllBytes($index, $stream.ToArray())
    "vector $($vectors + 1) for $_"
}

# 1. The background processor.
Add-Wave
$run = Start-BatchRun -Job documents -Store $store -Continuous -DeepSleepAfter 1 -AsJob -BatchSize 2 -ThrottleLimit 1 `
    -BackupPath $index -BackupDestination $backups -BackupFirst -BackupEvery 2 -BackupKeep 5 -Variable @{ index = $index } -ScriptBlock $embed

# 2. The first wave is processed, the run goes to deep sleep; a second wave wakes it.
Wait-Until { (Get-Activity) -eq 'DeepSleep' } 'the first wave and deep sleep'
Add-Wave
Wait-Until { (Get-BatchJob -Name documents -Store $store).Succeeded -eq 2 * $Documents } 'the second wave'

# 3. The "Force Deep Sleep" button, and awake again.
Suspend-BatchRun -Job documents -Store $store
Wait-Until { (Get-Activity) -eq 'Suspended' } 'the suspend'
Resume-BatchRun -Job documents -Store $store
Wait-Until { (Get-Activity) -ne 'Suspended' } 'the resume'

# 4. Data loss: the index loses its vectors between two health samples; the watch restores the newest valid backup.
$samples = Watch-BatchHealth -Job documents -Store $store -VectorStorePath $index -AutoRestore -BackupDestination $backups -Interval 0.2 -Count 3 |
    ForEach-Object -Begin { $n = 0 } -Process {
        $n++
        if ($n -eq 1) { Write-Index $index 1 }
        $_
    }

# 5. Stop, and show what happened.
Stop-BatchRun -Job documents -Store $store
$summary = Receive-Job $run -Wait
Remove-Job $run
$summary
Get-BatchCheckpoint -Job documents -Store $store
$samples
