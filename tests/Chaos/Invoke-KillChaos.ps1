<#
.SYNOPSIS
    Kills at scale: runs one job in job scripts (pwsh -File, Start-BatchRun -Command, as a scheduled task would), kills
    the PowerShell that runs it with SIGKILL again and again at random moments, starts it again each time, and then
    checks what the store and the processor say.

.DESCRIPTION
    Each job script feeds the same keys (idempotently) and runs the job with /bin/sh as the -Command. The item's
    program appends "<key> <run id>" to an execution log as it starts; every 200th item (-SlowPattern) then sleeps
    3 seconds (-SlowSeconds) and appends "<key> <run id> end". With -KillSlowChildren and a -SlowSeconds longer than a
    job script takes to start, kills leave such children running, which the next run must kill before it starts their
    items again (LeftoversKilled counts them). With -Processes 4, four job scripts feed and run the job at once; a kill
    picks one of them. Kill moments are drawn with -Seed: the Nth kill waits until the executions logged pass a random
    point of the job and the victim's run has items in flight (with -KillSlowChildren every other kill also waits
    until the victim has a slow item's child running).

    Checks (each failed one is listed in Failures; the script exits 1 when there is any):
      * every item succeeded, exactly once: the job's counts, the items, and the runs' success counts all say Items;
      * every key was executed exactly once by the run that recorded it, and every other execution of it was by a
        run that was killed (Crashed): the executions beyond the items are only re-runs of items in flight at a kill;
      * no slow item was started by a run while an earlier attempt of it was still going on (Overlaps);
      * PRAGMA integrity_check says ok;
      * no process started by the job scripts is left running;
      * no job script wrote a lock error (database is locked / busy).

    With -Store naming a PostgreSQL server (an Npgsql connection string to an empty database), the job runs there and
    the store is read with psql; integrity is then that the job's counters agree with its items. With -DistinctHosts
    each job script records its runs as a host of its own (BATCHOPS_HOST_NAME), as on several machines; a killed run
    on "another host" is then only taken over when its leases expire, so use it with -Kills 0.

    Linux only (it reads /proc and uses kill -9, /bin/sh and the sqlite3 program, or psql).

.EXAMPLE
    ./tests/Chaos/Invoke-KillChaos.ps1 -Items 20000 -Kills 50
    The full size: 20,000 items, 50 kills, one job script at a time.

.EXAMPLE
    ./tests/Chaos/Invoke-KillChaos.ps1 -Items 20000 -Kills 50 -Processes 4
    Four job scripts feeding and running the job at once; each kill takes one of them.
#>
[CmdletBinding()]
param(
    [int] $Items = 20000,
    [int] $Kills = 50,
    [ValidateRange(1, 16)] [int] $Processes = 1,
    [int] $Seed = 15,
    [int] $ThrottleLimit = 4,
    [int] $BatchSize = 20,
    # The items (a wildcard on keys c-00000 ...) whose program sleeps -SlowSeconds after logging its start, then logs its end.
    [string] $SlowPattern = '*[02468]00',
    [int] $SlowSeconds = 3,
    # Every other kill waits (up to 2 x SlowSeconds) for a moment when the victim has a slow item's child running.
    [switch] $KillSlowChildren,
    # Where the store, logs and job scripts go; a new temporary folder when not given.
    [string] $Folder,
    # The PowerShell that runs the job scripts; this one by default.
    [string] $Pwsh = $(if ($env:BATCHOPS_PWSH) { $env:BATCHOPS_PWSH } else { (Get-Process -Id $PID).Path }),
    [string] $Module = (Join-Path $PSScriptRoot '..' '..' 'out' 'BatchOps' 'BatchOps.psd1'),
    # A PostgreSQL store (an Npgsql connection string, Host=...;Database=...) instead of a SQLite file in -Folder.
    [string] $Store,
    # Each job script records its runs as a host of its own (BATCHOPS_HOST_NAME=chaos-host-N).
    [switch] $DistinctHosts,
    # Gives up when the job is not done this many seconds after the last kill.
    [int] $TimeoutSeconds = 600
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
if (-not $IsLinux) { throw 'The chaos script needs Linux (/proc, kill -9).' }
$server = [bool]$Store
if ($server) {
    $psql = @((Get-Command psql -ErrorAction SilentlyContinue).Source) + @(Get-Item /usr/lib/postgresql/*/bin/psql -ErrorAction SilentlyContinue | ForEach-Object FullName) |
        Where-Object { $_ } | Select-Object -First 1
    if (-not $psql) { throw 'The chaos script needs the psql program to read a PostgreSQL store.' }
    $pgKeys = @{}
    foreach ($pair in $Store.Split(';')) { $k, $v = $pair.Split('=', 2); if ($v) { $pgKeys[$k.Trim()] = $v.Trim() } }
}
elseif (-not (Get-Command sqlite3 -ErrorAction SilentlyContinue)) { throw 'The chaos script needs the sqlite3 program to read the store.' }

if (-not $Folder) { $Folder = Join-Path ([IO.Path]::GetTempPath()) "batchops-chaos-$([guid]::NewGuid().ToString('N').Substring(0, 8))" }
New-Item -ItemType Directory -Force -Path $Folder | Out-Null
$Folder = (Resolve-Path -LiteralPath $Folder).Path
$Module = (Resolve-Path -LiteralPath $Module).Path
$store = if ($server) { $Store } else { Join-Path $Folder 'chaos.db' }
$env:CHAOS_STORE = $store # the job scripts read it from their environment: a server string may hold a password
$log = Join-Path $Folder 'executions.log'
$token = [guid]::NewGuid().ToString('N')
Set-Content -LiteralPath $log -Value $null -NoNewline

# The job script: says which PowerShell runs it (the .NET-tool pwsh is a launcher that runs PowerShell in a child
# process, so the launcher's id is not the one to kill), then feeds and runs the job.
$program = 'printf ''%s %s\n'' "$BATCHOPS_KEY" "$BATCHOPS_RUN_ID" >> "$CHAOS_LOG"; case "$BATCHOPS_KEY" in ' + $SlowPattern + ') sleep ' + $SlowSeconds + '; printf ''%s %s end\n'' "$BATCHOPS_KEY" "$BATCHOPS_RUN_ID" >> "$CHAOS_LOG";; esac'
$worker = Join-Path $Folder 'job.ps1'
Set-Content -LiteralPath $worker -Value @"
param([string] `$PidFile, [string] `$HostName)
if (`$HostName) { `$env:BATCHOPS_HOST_NAME = `$HostName }
`$env:CHAOS_LOG = '$log'
`$env:CHAOS_TOKEN = '$token'
Import-Module '$Module'
Set-Content -LiteralPath `$PidFile -Value `$PID
& { foreach (`$i in 0..$($Items - 1)) { 'c-{0:D5}' -f `$i } } |
    Start-BatchRun -Job chaos -Store `$env:CHAOS_STORE -BatchSize $BatchSize -ThrottleLimit $ThrottleLimit -RetryLimit 20 -ErrorAction Stop ``
        -Command /bin/sh -ArgumentList '-c', '$($program -replace "'", "''")'
"@

function Invoke-Sql([string] $Sql) {
    if ($server) {
        $env:PGPASSWORD = $pgKeys['Password']
        $lines = & $psql -X -q -A -t -F '|' -v ON_ERROR_STOP=1 -h $pgKeys['Host'] -p $pgKeys['Port'] -U $pgKeys['Username'] -d $pgKeys['Database'] -c "SET search_path = batchops; $Sql"
        Remove-Item Env:PGPASSWORD
        if ($LASTEXITCODE -ne 0) { throw "psql failed ($LASTEXITCODE) on: $Sql" }
        return $lines
    }
    $lines = & sqlite3 -cmd '.timeout 10000' $store $Sql
    if ($LASTEXITCODE -ne 0) { throw "sqlite3 failed ($LASTEXITCODE) on: $Sql" }
    $lines
}

$slots = @(for ($i = 0; $i -lt $Processes; $i++) { [pscustomobject]@{ Index = $i; Launcher = $null; Pid = 0; Starts = 0 } })
function Start-Slot($Slot) {
    $Slot.Starts++
    $name = "slot$($Slot.Index)-$($Slot.Starts)"
    $pidFile = Join-Path $Folder "$name.pid"
    $Slot.Pid = 0
    $arguments = @('-NoProfile', '-NonInteractive', '-File', $worker, $pidFile) + @(if ($DistinctHosts) { "chaos-host-$($Slot.Index)" })
    $Slot.Launcher = Start-Process -FilePath $Pwsh -PassThru -ArgumentList $arguments `
        -RedirectStandardOutput (Join-Path $Folder "$name.out") -RedirectStandardError (Join-Path $Folder "$name.err")
    $Slot | Add-Member -Force -NotePropertyName PidFile -NotePropertyValue $pidFile
}

function Get-SlotPid($Slot) {
    if ($Slot.Pid -eq 0 -and (Test-Path -LiteralPath $Slot.PidFile)) {
        $text = Get-Content -LiteralPath $Slot.PidFile -ErrorAction SilentlyContinue
        if ($text) { $Slot.Pid = [int]$text }
    }
    $Slot.Pid
}

function Get-ExecutionCount { [int]((Get-Item -LiteralPath $log).Length / (9 + 2)) } # "c-00000 N\n": about 11 bytes

# The runs that have a slow item's child running now: its start line is in the log's tail and its end line not yet.
function Get-SlowInFlight {
    $stream = [IO.File]::Open($log, 'Open', 'Read', 'ReadWrite')
    try {
        $stream.Position = [Math]::Max(0, $stream.Length - 16384)
        $tail = [IO.StreamReader]::new($stream).ReadToEnd() -split "`n"
    }
    finally { $stream.Dispose() }
    $started = @{}
    foreach ($line in $tail) {
        if ($line -match '^(c-\d+) (\d+)( end)?$' -and $Matches[1] -like $SlowPattern) {
            if ($Matches[3]) { $started.Remove("$($Matches[1]) $($Matches[2])") } else { $started["$($Matches[1]) $($Matches[2])"] = $Matches[2] }
        }
    }
    @($started.Values)
}

$waitedSince = $null
$random = [Random]::new($Seed)
$points = @(1..$Kills | ForEach-Object { [int]($Items * (0.02 + 0.88 * $random.NextDouble())) } | Sort-Object)
$clock = [Diagnostics.Stopwatch]::StartNew()
$slots | ForEach-Object { Start-Slot $_ }

$killed = 0
while ($killed -lt $Kills) {
    # A job script that ended by itself (its run found nothing left to claim) is started again while kills remain.
    foreach ($slot in $slots) {
        if ($slot.Launcher.HasExited) { Start-Slot $slot }
    }

    if ((Get-ExecutionCount) -ge $points[$killed]) {
        if (-not $waitedSince) { $waitedSince = [Diagnostics.Stopwatch]::StartNew() }
        # The victim: a job script whose run has items in flight (not one still importing the module or feeding).
        $running = @{}
        Invoke-Sql "SELECT pid, id FROM runs r WHERE state = 'Running' AND EXISTS (SELECT 1 FROM items i WHERE i.status = 1 AND i.lease_run = r.id)" |
            ForEach-Object { $p, $r = $_.Split('|'); $running[[int]$p] = $r }
        $victims = @($slots | Where-Object { $running.ContainsKey((Get-SlotPid $_)) -and -not $_.Launcher.HasExited })
        if ($KillSlowChildren -and $killed % 2 -eq 1 -and $waitedSince.Elapsed.TotalSeconds -lt 2 * $SlowSeconds) {
            $slow = Get-SlowInFlight
            $victims = @($victims | Where-Object { $slow -contains $running[$_.Pid] })
        }
        if ($victims.Count -gt 0) {
            $victim = $victims[$random.Next($victims.Count)]
            & kill -KILL $victim.Pid
            while (Test-Path -LiteralPath "/proc/$($victim.Pid)") {
                if ((Get-Content -LiteralPath "/proc/$($victim.Pid)/stat" -ErrorAction SilentlyContinue) -match '\) Z ') { break }
                Start-Sleep -Milliseconds 10
            }
            $victim.Launcher.WaitForExit()
            $killed++
            Start-Slot $victim
            $waitedSince = $null
            continue
        }
    }

    Start-Sleep -Milliseconds 20
}

# After the last kill: let the job scripts finish; start one again if all ended with work left (at most 3 times).
$extra = 0
$deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
while ($true) {
    $alive = @($slots | Where-Object { -not $_.Launcher.HasExited })
    if ($alive.Count -eq 0) {
        $left = [int](Invoke-Sql 'SELECT pending + running FROM jobs WHERE name = ''chaos''')
        if ($left -eq 0 -or $extra -ge 3) { break }
        $extra++
        Start-Slot $slots[0]
    }
    if ([DateTime]::UtcNow -gt $deadline) {
        $alive | ForEach-Object { & kill -KILL (Get-SlotPid $_) }
        break
    }
    Start-Sleep -Milliseconds 100
}
$seconds = $clock.Elapsed.TotalSeconds

# What the processor logged: key -> the runs that executed it; and whether a slow item's attempt was still going on
# (it wrote its end line later) when another run started the same item.
$failures = [Collections.Generic.List[string]]::new()
$executions = @{}
$open = @{} # "key run" -> $true once another run started the key while this attempt was going on
$lines = 0
$overlaps = 0
foreach ($line in [IO.File]::ReadLines($log)) {
    if (-not $line) { continue }
    $key, $run, $end = $line.Split(' ')
    if ($end) {
        if ($open["$key $run"]) { $overlaps++; $failures.Add("Item $key was started by another run while run $run still worked on it.") }
        $open.Remove("$key $run")
        continue
    }
    $lines++
    if (-not $executions.ContainsKey($key)) { $executions[$key] = [Collections.Generic.List[string]]::new() }
    foreach ($other in $executions[$key]) {
        if ($open.ContainsKey("$key $other")) { $open["$key $other"] = $true }
    }
    $executions[$key].Add($run)
    $open["$key $run"] = $false
}
$job = (Invoke-Sql "SELECT total || ' ' || succeeded || ' ' || pending || ' ' || running || ' ' || failed FROM jobs WHERE name = 'chaos'") -split ' ' | ForEach-Object { [long]$_ }
if ($job[0] -ne $Items -or $job[1] -ne $Items) { $failures.Add("The job has $($job[0]) items, $($job[1]) succeeded, $($job[2]) pending, $($job[3]) running, $($job[4]) failed; expected $Items succeeded.") }
$recordedItems = [long](Invoke-Sql 'SELECT count(*) FROM items WHERE status = 2 AND finished_ms IS NOT NULL')
$recordedByRuns = [long](Invoke-Sql 'SELECT coalesce(sum(succeeded), 0) FROM runs')
if ($recordedItems -ne $Items -or $recordedByRuns -ne $Items) { $failures.Add("Successes recorded: $recordedItems items, $recordedByRuns by the runs; expected $Items each.") }

$crashed = @{}
Invoke-Sql "SELECT id FROM runs WHERE state = 'Crashed'" | ForEach-Object { $crashed[$_] = $true }
$finishedBy = @{}
Invoke-Sql 'SELECT key, lease_run FROM items WHERE status = 2' | ForEach-Object { $k, $r = $_.Split('|'); $finishedBy[$k] = $r }
$inFlight = @{} # crashed run -> its executions that it never recorded (in flight at its kill)
foreach ($key in $finishedBy.Keys) {
    $runs = if ($executions.ContainsKey($key)) { $executions[$key] } else { @() }
    $byRecorder = @($runs | Where-Object { $_ -eq $finishedBy[$key] }).Count
    $others = @($runs | Where-Object { $_ -ne $finishedBy[$key] })
    if ($byRecorder -ne 1) { $failures.Add("Item $key was executed $byRecorder time(s) by run $($finishedBy[$key]), which recorded it.") }
    foreach ($run in $others) {
        if (-not $crashed.ContainsKey($run)) { $failures.Add("Item $key was executed again by run $run, which was not killed.") }
        else { $inFlight[$run] = 1 + $(if ($inFlight.ContainsKey($run)) { $inFlight[$run] } else { 0 }) }
    }
}
if ($finishedBy.Count -ne $executions.Count) { $failures.Add("$($executions.Count) keys were executed, $($finishedBy.Count) recorded.") }
$duplicates = $lines - $executions.Count
$inFlightTotal = ($inFlight.Values | Measure-Object -Sum).Sum

$integrity = if ($server) {
    # No file to check on a server: the job's counters must agree with its items.
    (Invoke-Sql "SELECT CASE WHEN j.total = (SELECT count(*) FROM items i WHERE i.job_id = j.id) AND j.succeeded = (SELECT count(*) FROM items i WHERE i.job_id = j.id AND i.status = 2) THEN 'ok' ELSE 'counters differ from items' END FROM jobs j WHERE name = 'chaos'") -join ' '
}
else { (Invoke-Sql 'PRAGMA integrity_check') -join ' ' }
if ($integrity -ne 'ok') { $failures.Add("integrity_check: $integrity") }

# Leftovers: any live process started by a job script (their children carry CHAOS_TOKEN in their environment).
$leftovers = @(Get-ChildItem /proc -Directory | Where-Object Name -match '^\d+$' | Where-Object {
        try {
            $stat = [IO.File]::ReadAllText("$($_.FullName)/stat")
            $stat -notmatch '\) Z ' -and ([Text.Encoding]::UTF8.GetString([IO.File]::ReadAllBytes("$($_.FullName)/environ")).Split([char]0) -contains "CHAOS_TOKEN=$token")
        }
        catch { $false }
    })
if ($leftovers.Count -gt 0) { $failures.Add("$($leftovers.Count) process(es) started by the job scripts are still running: $($leftovers.Name -join ', ')") }

$killedLeftovers = (Get-ChildItem -LiteralPath $Folder -Filter 'slot*.out' | Select-String -Pattern '(\d+) process\(es\) it had started' |
        ForEach-Object { [int]$_.Matches[0].Groups[1].Value } | Measure-Object -Sum).Sum
$lockErrors = @(Get-ChildItem -LiteralPath $Folder -Filter 'slot*.err' | Select-String -Pattern 'locked|busy|deadlock|could not serialize' -SimpleMatch:$false)
if ($lockErrors.Count -gt 0) { $failures.Add("$($lockErrors.Count) lock error line(s), first: $($lockErrors[0].Line)") }
if ($killed -lt $Kills) { $failures.Add("Only $killed of $Kills kills landed.") }

$result = [pscustomobject]@{
    Items               = $Items
    Processes           = $Processes
    Kills               = $killed
    Runs                = [int](Invoke-Sql 'SELECT count(*) FROM runs')
    CrashedRuns         = $crashed.Count
    Executions          = $lines
    DuplicateExecutions = $duplicates
    InFlightAtKills     = [int]$inFlightTotal
    MostInFlightAtAKill = [int]($inFlight.Values | Measure-Object -Maximum).Maximum
    DuplicatesRecorded  = $recordedByRuns - $Items
    Integrity           = $integrity
    Overlaps            = $overlaps
    LeftoversKilled     = [int]$killedLeftovers
    LeftoverProcesses   = $leftovers.Count
    LockErrors          = $lockErrors.Count
    ExtraStarts         = $extra
    Seconds             = [math]::Round($seconds, 1)
    Folder              = $Folder
    Failures            = $failures.ToArray()
}
$result
if ($failures.Count -gt 0) { exit 1 }
