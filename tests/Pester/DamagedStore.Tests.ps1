#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
<#
    Damaged stores as a user meets them (issue 15, item 4): a store cut short and a store with an overwritten page give
    StoreDamaged, with the way to recover in the message, and nothing is written. The engine tests
    (DamagedStoreTests) cover locks, read-only folders and symbolic links.
#>

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module $ModuleManifest -Force

    function New-SeededStore {
        $store = New-TestStorePath -Name 'damaged'
        1..3000 | ForEach-Object { "chunk-$_" } | Add-BatchItem -Job embed -Store $store | Out-Null
        $store
    }
}

Describe 'A damaged store' {
    It 'cut short is refused by Get-BatchJob with StoreDamaged and left as it was' {
        $store = New-SeededStore
        $stream = [IO.File]::Open($store, 'Open')
        try { $stream.SetLength([long]($stream.Length / 2) + 100) } finally { $stream.Dispose() }
        $before = (Get-FileHash -LiteralPath $store).Hash

        { Get-BatchJob -Store $store -ErrorAction Stop } | Should -Throw -ErrorId 'StoreDamaged*'
        { 'more' | Add-BatchItem -Job embed -Store $store -ErrorAction Stop } | Should -Throw -ExpectedMessage '*cut short*.recover*'
        (Get-FileHash -LiteralPath $store).Hash | Should -Be $before
    }

    It 'with an overwritten page makes Start-BatchRun fail with StoreDamaged, not a generic RunFailed' {
        $store = New-SeededStore
        $page = 4096
        $item = Get-BatchItem -Job embed -Store $store -First 1
        $item | Should -Not -BeNullOrEmpty
        # Overwrite the header of every page after the first 8 (the items table is the bulk of the file).
        $stream = [IO.File]::Open($store, 'Open')
        try {
            $junk = [byte[]]::new(16); [Array]::Fill($junk, [byte]0xA5)
            for ($offset = 8 * $page; $offset -lt $stream.Length; $offset += $page) {
                $stream.Position = $offset; $stream.Write($junk, 0, $junk.Length)
            }
        }
        finally { $stream.Dispose() }

        Start-BatchRun -Job embed -Store $store -ScriptBlock { $_ } -ErrorVariable err -ErrorAction SilentlyContinue -WarningAction SilentlyContinue | Out-Null
        $err.Count | Should -BeGreaterThan 0
        ($err[-1].FullyQualifiedErrorId -split ',')[0] | Should -Be 'StoreDamaged'
        $err[-1].Exception.Message | Should -BeLike "*$store*damaged*.recover*"
    }
}
