#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
<#
    A job on a PostgreSQL server, as users run it: job scripts on three "hosts" share one job, kills cost no work, and
    a store that cannot be used is refused with its own ErrorId and never shows its password. Needs a server:
    BATCHOPS_TEST_POSTGRES holds an Npgsql connection string (./build.sh Test starts a throwaway server); every test
    gets an empty database of its own. Without one the tests are skipped, and say why.
#>

BeforeDiscovery {
    $script:NoServer = -not $env:BATCHOPS_TEST_POSTGRES
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module $ModuleManifest -Force
    $script:Chaos = Join-Path $RepoRoot 'tests' 'Chaos' 'Invoke-KillChaos.ps1'
    $script:Server = @{}
    foreach ($pair in "$env:BATCHOPS_TEST_POSTGRES".Split(';')) { $k, $v = $pair.Split('=', 2); if ($v) { $Server[$k.Trim()] = $v.Trim() } }
    $script:Psql = @((Get-Command psql -ErrorAction SilentlyContinue).Source) + @(Get-Item /usr/lib/postgresql/*/bin/psql -ErrorAction SilentlyContinue | ForEach-Object FullName) |
        Where-Object { $_ } | Select-Object -First 1

    function Invoke-ServerSql([string] $Sql, [string] $Database = $Server['Database']) {
        $env:PGPASSWORD = $Server['Password']
        try { & $Psql -X -q -A -t -v ON_ERROR_STOP=1 -h $Server['Host'] -p $Server['Port'] -U $Server['Username'] -d $Database -c $Sql }
        finally { Remove-Item Env:PGPASSWORD }
        if ($LASTEXITCODE -ne 0) { throw "psql failed on: $Sql" }
    }

    # An empty database of the test's own; its Npgsql connection string.
    function New-TestDatabase {
        $name = 'batchops_p_' + [guid]::NewGuid().ToString('N').Substring(0, 10)
        Invoke-ServerSql "CREATE DATABASE $name" | Out-Null
        $script:Databases += @($name)
        "Host=$($Server['Host']);Port=$($Server['Port']);Database=$name;Username=$($Server['Username']);Password=$($Server['Password'])"
    }
    $script:Databases = @()

    function Get-Refusal([scriptblock] $Command) {
        $ErrorActionPreference = 'Stop'
        try { & $Command | Out-Null } catch { return $_ }
        throw 'The command was not refused.'
    }
}

AfterAll {
    foreach ($name in $Databases) { Invoke-ServerSql "DROP DATABASE IF EXISTS $name WITH (FORCE)" -Database postgres | Out-Null }
}

Describe 'A job on a PostgreSQL server' -Skip:$NoServer {
    It 'is fed and run from the pipeline, and every command shows the store without its password' {
        $store = New-TestDatabase
        $added = 1..50 | ForEach-Object { "chunk-$_" } | Add-BatchItem -Job embed -Store $store
        $added.Added | Should -Be 50
        $summary = Start-BatchRun -Job embed -Store $store -ThrottleLimit 4 -ScriptBlock { "done $_" }
        $summary.Succeeded | Should -Be 50
        $job = Get-BatchJob -Job embed -Store $store
        $job.Succeeded | Should -Be 50
        $checkpoint = Get-BatchCheckpoint -Job embed -Store $store
        $checkpoint.Completed | Should -Be 50
        foreach ($shown in @($added.Store, $job.Store, $checkpoint.Store, ($job | Format-List * | Out-String))) {
            $shown | Should -Not -BeLike "*$($Server['Password'])*"
        }
        $job.Store | Should -BeLike 'postgresql://*@*/*'
        # Piped on, the job's store (shown without its password) still logs in: the password is kept in this session.
        (Get-BatchJob -Job embed -Store $store | Get-BatchItem -Status Succeeded).Count | Should -Be 50
    }

    It 'is shared by job scripts on three hosts: 3,000 items, each run exactly once, no lock errors' {
        $store = New-TestDatabase
        $result = & $Chaos -Items 3000 -Kills 0 -Processes 3 -DistinctHosts -SlowSeconds 0 -Store $store -Seed 16 -Folder (Join-Path $TestDrive 'hosts') -Pwsh $Pwsh -Module $ModuleManifest
        $result | Select-Object -ExcludeProperty Failures, Folder | Format-List | Out-String | Write-Host
        $result.Failures | Should -BeNullOrEmpty
        $result.Executions | Should -Be 3000
        $result.DuplicatesRecorded | Should -Be 0
        $result.LockErrors | Should -Be 0
        $result.Integrity | Should -Be 'ok'
        @(Invoke-ServerSql 'SELECT DISTINCT host FROM batchops.runs ORDER BY host' -Database ($store -replace '.*Database=([^;]+).*', '$1')) |
            Should -Be @('chaos-host-0', 'chaos-host-1', 'chaos-host-2')
    }

    It 'loses nothing and records nothing twice when its run is killed with SIGKILL five times' {
        $store = New-TestDatabase
        $result = & $Chaos -Items 1000 -Kills 5 -Processes 1 -SlowSeconds 1 -Store $store -Seed 17 -Folder (Join-Path $TestDrive 'kills') -Pwsh $Pwsh -Module $ModuleManifest
        $result | Select-Object -ExcludeProperty Failures, Folder | Format-List | Out-String | Write-Host
        $result.Failures | Should -BeNullOrEmpty
        $result.Kills | Should -Be 5
        $result.CrashedRuns | Should -Be 5
        $result.DuplicatesRecorded | Should -Be 0
        $result.DuplicateExecutions | Should -Be $result.InFlightAtKills
        $result.Integrity | Should -Be 'ok'
        $result.LeftoverProcesses | Should -Be 0
    }
}

Describe 'A PostgreSQL store that cannot be used' -Skip:$NoServer {
    It 'with a wrong password is StoreLoginFailed, and the message does not show it' {
        $store = (New-TestDatabase) -replace 'Password=[^;]*', 'Password=wrong-pw-123'
        $refusal = Get-Refusal { Get-BatchJob -Store $store }
        ($refusal.FullyQualifiedErrorId -split ',')[0] | Should -Be 'StoreLoginFailed'
        "$refusal $($refusal.TargetObject) $($refusal.ErrorDetails.RecommendedAction)" | Should -Not -BeLike '*wrong-pw-123*'
        $refusal.ErrorDetails.RecommendedAction | Should -BeLike '*PGPASSWORD*'
    }

    It 'without the schema, for a user who may not create it, is StoreAccessDenied and nothing is written' {
        $store = New-TestDatabase
        $database = $store -replace '.*Database=([^;]+).*', '$1'
        $role = 'batchops_r_' + [guid]::NewGuid().ToString('N').Substring(0, 8)
        Invoke-ServerSql "CREATE ROLE $role LOGIN PASSWORD 'reader-pw-456'; REVOKE CREATE ON DATABASE $database FROM PUBLIC; REVOKE CREATE ON SCHEMA public FROM PUBLIC" -Database $database | Out-Null
        $readerStore = $store -replace 'Username=[^;]*', "Username=$role" -replace 'Password=[^;]*', 'Password=reader-pw-456'
        $refusal = Get-Refusal { 'a' | Add-BatchItem -Job embed -Store $readerStore }
        ($refusal.FullyQualifiedErrorId -split ',')[0] | Should -Be 'StoreAccessDenied'
        "$refusal" | Should -Not -BeLike '*reader-pw-456*'
        Invoke-ServerSql "SELECT count(*) FROM pg_namespace WHERE nspname = 'batchops'" -Database $database | Should -Be 0
        # The refused login left an idle connection in this session's pool: the role ends it, then goes.
        $env:PGPASSWORD = 'reader-pw-456'
        & $Psql -X -q -A -t -h $Server['Host'] -p $Server['Port'] -U $role -d $database -c 'SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = current_user AND pid <> pg_backend_pid()' | Out-Null
        Remove-Item Env:PGPASSWORD
        Invoke-ServerSql "DROP ROLE $role" -Database postgres | Out-Null
    }

    It 'written by a newer BatchOps is StoreSchemaTooNew and left as it was' {
        $store = New-TestDatabase
        'a' | Add-BatchItem -Job embed -Store $store | Out-Null
        $database = $store -replace '.*Database=([^;]+).*', '$1'
        Invoke-ServerSql 'UPDATE batchops.schema_version SET version = 99' -Database $database | Out-Null
        $refusal = Get-Refusal { 'b' | Add-BatchItem -Job embed -Store $store }
        ($refusal.FullyQualifiedErrorId -split ',')[0] | Should -Be 'StoreSchemaTooNew'
        Invoke-ServerSql 'SELECT count(*) FROM batchops.items' -Database $database | Should -Be 1
        Invoke-ServerSql 'SELECT version FROM batchops.schema_version' -Database $database | Should -Be 99
    }
}
