#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
<#
    Which store a command opens is chosen from the store string (-Store, else $env:BATCHOPS_STORE, else batchops.db
    in the current location): a file path is a SQLite store, resolved through the PowerShell provider; a PostgreSQL
    URI or connection string names a server. A server that does not answer is refused with its own ErrorId, before
    any input is read, and the password is never shown. (Postgres.Tests.ps1 uses a real server.)
#>

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module $ModuleManifest -Force
}

Describe 'A PostgreSQL store string' {
    BeforeEach {
        $script:SavedStore = $env:BATCHOPS_STORE
        $script:Here = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory -Path $Here
        Push-Location $Here
    }

    AfterEach {
        Pop-Location
        $env:BATCHOPS_STORE = $SavedStore
    }

    It 'of a server nobody answers at is refused by <Command> with StoreUnreachable, no password shown, nothing written' -ForEach @(
        @{ Command = 'Get-BatchJob'; Store = 'postgresql://batchops:s3cr3t-pw@127.0.0.1:1/batchops'; Run = { param($s) Get-BatchJob -Store $s } }
        @{ Command = 'Add-BatchItem'; Store = 'Host=127.0.0.1;Port=1;Database=batchops;Username=batchops;Password=s3cr3t-pw'; Run = { param($s) 'a', 'b' | Add-BatchItem -Job embed -Store $s } }
        @{ Command = 'Start-BatchRun'; Store = 'postgres://batchops:s3cr3t-pw@127.0.0.1:1/batchops'; Run = { param($s) 'a' | Start-BatchRun -Job embed -Store $s -ScriptBlock { $_ } } }
    ) {
        $Shown = 'postgresql://batchops@127.0.0.1:1/batchops'
        $caught = $null
        $ErrorActionPreference = 'Stop' # non-terminating errors too end up in the catch
        try {
            & $Run $Store.Replace('{port}', "$ClosedPort") | Out-Null
        }
        catch {
            $caught = $_
        }

        $caught | Should -Not -BeNullOrEmpty
        ($caught.FullyQualifiedErrorId -split ',')[0] | Should -Be 'StoreUnreachable'
        $caught.CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        $caught.Exception.Message | Should -BeLike "*PostgreSQL*'$Shown'*"
        "$($caught.Exception.Message) $($caught.TargetObject) $($caught.ErrorDetails.RecommendedAction)" | Should -Not -BeLike '*s3cr3t-pw*'
        $caught.ErrorDetails.RecommendedAction | Should -BeLike '*host name and port in -Store*'
        @(Get-ChildItem -LiteralPath $Here -Force).Count | Should -Be 0 -Because 'nothing is written, in the current location or anywhere'
    }

    It 'is taken from $env:BATCHOPS_STORE as well' {
        $env:BATCHOPS_STORE = 'postgresql://batchops@127.0.0.1:1/batchops'
        { Get-BatchJob -ErrorAction Stop } | Should -Throw -ErrorId 'StoreUnreachable*'
    }
}

Describe 'A file path with = in its name' {
    It 'is still a SQLite store file' {
        $store = Join-Path $TestDrive 'run=3.db'
        'x' | Add-BatchItem -Job embed -Store $store | Out-Null
        (Get-BatchJob -Job embed -Store $store).Total | Should -Be 1
        Test-Path -LiteralPath $store | Should -BeTrue
    }
}
