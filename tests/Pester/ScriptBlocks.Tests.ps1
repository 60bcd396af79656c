# A script block's items run one after another in one long pipeline per runspace. What a user's block does with the
# cmdlets of a real pwsh (Start-Sleep, Write-Error, Write-Host, Set-Location) must give each item its own outcome.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module $ModuleManifest -Force
}

Describe 'Items of a script block in one runspace' {
    It 'gives each item only the errors it wrote' {
        $store = New-TestStorePath
        1..6 | Start-BatchRun -Job errors -Store $store -ThrottleLimit 1 -RetryLimit 0 -WarningAction SilentlyContinue -ErrorAction SilentlyContinue -ScriptBlock {
            if ($_ % 2) { Write-Error "odd $_" } else { Write-Host "host $_"; "even $_" }
        } | Out-Null
        $items = Get-BatchItem -Job errors -Store $store | Sort-Object { [int]$_.Key }
        $items.Status | Should -Be @('Failed', 'Succeeded', 'Failed', 'Succeeded', 'Failed', 'Succeeded')
        ($items | Where-Object Status -EQ Failed).LastError | Should -Be @('odd 1', 'odd 3', 'odd 5')
        ($items | Where-Object Status -EQ Succeeded).Result | Should -Be @('even 2', 'even 4', 'even 6')
    }

    It 'runs every item in the caller''s folder even after one moved' {
        $store = New-TestStorePath
        $here = (Get-Location).Path
        1..3 | Start-BatchRun -Job moves -Store $store -ThrottleLimit 1 -ScriptBlock { $pwd.Path; Set-Location / } | Out-Null
        (Get-BatchItem -Job moves -Store $store).Result | Should -Be @($here, $here, $here)
    }

    It 'fails a timed-out item even when its block catches the stop' {
        $store = New-TestStorePath
        1..2 | Start-BatchRun -Job slow -Store $store -ThrottleLimit 1 -RetryLimit 0 -ItemTimeout 1 -WarningAction SilentlyContinue -ScriptBlock {
            if ($_ -eq 1) { try { Start-Sleep -Seconds 60 } catch { } ; 'woke' } else { 'next' }
        } | Out-Null
        $first = Get-BatchItem -Job slow -Store $store -Key 1
        $first.Status | Should -Be 'Failed'
        $first.LastError | Should -BeLike 'Timed out after 1 s*'
        $first.Result | Should -BeNullOrEmpty
        (Get-BatchItem -Job slow -Store $store -Key 2).Result | Should -Be 'next'
    }

    It 'ends an item that calls exit with that exit code and goes on with the next' {
        $store = New-TestStorePath
        1..3 | Start-BatchRun -Job exits -Store $store -ThrottleLimit 1 -RetryLimit 0 -WarningAction SilentlyContinue -ScriptBlock {
            if ($_ -eq 2) { exit 4 }; "ran $_"
        } | Out-Null
        $items = Get-BatchItem -Job exits -Store $store | Sort-Object Key
        $items.Status | Should -Be @('Succeeded', 'Failed', 'Succeeded')
        $items[1].LastError | Should -Be 'Exit code 4.'
        $items[2].Result | Should -Be 'ran 3'
    }
}
