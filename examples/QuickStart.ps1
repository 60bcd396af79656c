<#
.SYNOPSIS
    A real BatchOps run on the embedded SQLite store: embeds 200 document chunks until half are done, shows the
    checkpoint, then resumes to the end.

.DESCRIPTION
    Processes a job to a target, shows where it stands, and resumes it. The "embedding API" is a stand-in: it takes a
    few milliseconds per chunk and answers "HTTP 503" to the first attempt at every seventh chunk, which BatchOps
    retries with backoff; -Verbose shows each retry and each batch as it is recorded. (An "HTTP 429" would instead
    pause every worker for -RateLimitWait seconds without using up a retry.)

    Run it through the build (pwsh ./build.ps1 -Task Demo) or on its own after a build.

.PARAMETER Store
    The store file. Defaults to batchops-quickstart.db in the temporary folder.

.PARAMETER Chunks
    How many chunks to embed.
#>
[CmdletBinding()]
param(
    [string] $Store = [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), 'batchops-quickstart.db'),
    [int] $Chunks = 200
)

$ErrorActionPreference = 'Stop'
if (-not (Get-Module BatchOps)) {
    Import-Module ([System.IO.Path]::Combine($PSScriptRoot, '..', 'out', 'BatchOps', 'BatchOps.psd1'))
}

# Start afresh, so that the quick start always shows a whole run.
if ([System.IO.File]::Exists($Store)) {
    Get-BatchJob -Store $Store | Where-Object Name -EQ 'quickstart' | Remove-BatchJob
}

$embed = {
    [System.Threading.Thread]::Sleep(5)
    if ($BatchItem.Attempt -eq 1 -and [int]$_.Id.Substring(6) % 7 -eq 0) {
        throw 'HTTP 503: service busy, try again'
    }

    'vector of {0} characters' -f $_.Text.Length
}

$documentChunks = 1..$Chunks | ForEach-Object {
    [pscustomobject]@{ Id = 'chunk-{0:D4}' -f $_; Text = "Text of document chunk $_" }
}

# 1. Process until 50% of the chunks are done, 10 per batch, 4 at a time; -Verbose shows the retries and batches.
$documentChunks | Start-BatchRun -Job quickstart -Store $Store -TargetPercent 50 -BatchSize 10 -ThrottleLimit 4 -RetryDelay 0.1 -ScriptBlock $embed -Verbose

# 2. Where the run stands.
Get-BatchCheckpoint -Job quickstart -Store $Store

# 3. Resume. Feeding the same chunks again adds nothing: only the other half is processed.
$documentChunks | Start-BatchRun -Job quickstart -Store $Store -BatchSize 10 -ThrottleLimit 4 -RetryDelay 0.1 -ScriptBlock $embed

# 4. The job, done.
Get-BatchJob -Name quickstart -Store $Store
