#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
<#
    Which store a command opens is chosen from the store string (-Store, else $env:BATCHOPS_STORE, else batchops.db
    in the current location): a file path is a SQLite store, resolved through the PowerShell provider; a PostgreSQL
    URI or connection string names a server. A server that cannot be reached is its own ErrorId, raised before any
    input is read, and no error shows the password.
#>

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module $ModuleManifest -Force
    # A local port nothing listens on (bound and closed at once): the connection is refused at once, no server needed.
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    $script:ClosedPort = $listener.LocalEndpoint.Port
    $listener.Stop()
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

    It 'names a server that <Command> reports unreachable, no password shown, nothing written' -ForEach @(
        @{ Command = 'Get-BatchJob'; Store = 'postgresql://batchops:s3cr3t-pw@127.0.0.1:{port}/batchops'; Shown = 'postgresql://batchops@127.0.0.1:{port}/batchops'; Run = { param($s) Get-BatchJob -Store $s } }
        @{ Command = 'Add-BatchItem'; Store = 'Host=127.0.0.1;Port={port};Database=batchops;Username=batchops;Password=s3cr3t-pw'; Shown = 'postgresql://batchops@127.0.0.1:{port}/batchops'; Run = { param($s) 'a', 'b' | Add-BatchItem -Job embed -Store $s } }
        @{ Command = 'Start-BatchRun'; Store = 'postgres://batchops:s3cr3t-pw@127.0.0.1:{port}/batchops'; Shown = 'postgresql://batchops@127.0.0.1:{port}/batchops'; Run = { param($s) 'a' | Start-BatchRun -Job embed -Store $s -ScriptBlock { $_ } } }
    ) {
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
        $caught.Exception.Message | Should -BeLike "*PostgreSQL*'$($Shown.Replace('{port}', "$ClosedPort"))'*"
        "$($caught.Exception.Message) $($caught.TargetObject) $($caught.ErrorDetails.RecommendedAction)" | Should -Not -BeLike '*s3cr3t-pw*'
        @(Get-ChildItem -LiteralPath $Here -Force).Count | Should -Be 0 -Because 'nothing is written, in the current location or anywhere'
    }

    It 'is taken from $env:BATCHOPS_STORE as well' {
        $env:BATCHOPS_STORE = "postgresql://batchops@127.0.0.1:$ClosedPort/batchops"
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
