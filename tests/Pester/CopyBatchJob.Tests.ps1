#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
<#
    Copy-BatchJob moves a job to another store with its items' states and error log, so that it goes on there.
    Here between SQLite files; the engine tests run the same copy to and from PostgreSQL.
#>

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module $ModuleManifest -Force

    # A job of 10 items in a fresh store: item-01..04 finished in a first run (item-03 failed), the rest pending.
    function New-StartedJob {
        $store = New-TestStorePath 'laptop'
        1..10 | ForEach-Object { 'item-{0:D2}' -f $_ } | Add-BatchItem -Job embed -Store $store | Out-Null
        Start-BatchRun -Job embed -Store $store -MaxItems 4 -BatchSize 1 -ThrottleLimit 1 -RetryLimit 0 -ScriptBlock {
            if ($_ -eq 'item-03') { throw "no vector for $_" }
            "laptop $_"
        } -ErrorAction SilentlyContinue -WarningAction SilentlyContinue | Out-Null
        $store
    }
}

Describe 'Copy-BatchJob' {
    It 'copies the items with their status, attempts, results and errors, and outputs the destination job' {
        $from = New-StartedJob
        $to = New-TestStorePath 'server'

        $job = Copy-BatchJob -Job embed -Store $from -Destination $to

        $job.PSObject.TypeNames | Should -Contain 'BatchOps.BatchJob'
        $job.Store | Should -Be $to
        $job.Total, $job.Succeeded, $job.Failed, $job.Pending | Should -Be 10, 3, 1, 6
        $failed = Get-BatchItem -Job embed -Store $to -Status Failed
        $failed.Key | Should -Be 'item-03'
        $failed.LastError | Should -Match 'no vector for item-03'
        $failed.Attempts | Should -Be 1
        (Get-BatchItem -Job embed -Store $to -Key 'item-01').Result | Should -Be (Get-BatchItem -Job embed -Store $from -Key 'item-01').Result
    }

    It 'takes jobs from Get-BatchJob through the pipeline, with their store' {
        $from = New-StartedJob
        $to = New-TestStorePath 'server'

        $copied = Get-BatchJob -Store $from | Copy-BatchJob -Destination $to -DestinationJob embed-copy

        $copied.Name | Should -Be 'embed-copy'
        (Get-BatchJob -Store $to).Name | Should -Be 'embed-copy'
    }

    It 'goes on in the destination with Start-BatchRun, which runs only the unfinished items' {
        $from = New-StartedJob
        $to = New-TestStorePath 'server'
        Copy-BatchJob -Job embed -Store $from -Destination $to | Out-Null

        $summary = Start-BatchRun -Job embed -Store $to -ScriptBlock { "server $_" } -WarningAction SilentlyContinue

        $summary.Succeeded | Should -Be 6
        $items = Get-BatchItem -Job embed -Store $to
        ($items | Where-Object Result -like 'server *').Key | Should -Be ('item-05', 'item-06', 'item-07', 'item-08', 'item-09', 'item-10')
        ($items | Where-Object Key -in 'item-01', 'item-02', 'item-04').Result | Should -Be ('laptop item-01', 'laptop item-02', 'laptop item-04')
        (Get-BatchItem -Job embed -Store $to -Key 'item-03').Status | Should -Be 'Failed' # until Reset-BatchItem, as in the source
    }

    It '-WhatIf writes nothing: no store file is created' {
        $from = New-StartedJob
        $to = New-TestStorePath 'server'

        Copy-BatchJob -Job embed -Store $from -Destination $to -WhatIf

        Test-Path -LiteralPath $to | Should -BeFalse
    }

    It '-WhatIf with -Force leaves an existing destination job as it was' {
        $from = New-StartedJob
        $to = New-TestStorePath 'server'
        'other' | Add-BatchItem -Job embed -Store $to | Out-Null

        Copy-BatchJob -Job embed -Store $from -Destination $to -Force -WhatIf

        (Get-BatchItem -Job embed -Store $to).Key | Should -Be 'other'
    }

    It 'refuses a job the destination already has with JobExists and advice, and -Force replaces it' {
        $from = New-StartedJob
        $to = New-TestStorePath 'server'
        'other' | Add-BatchItem -Job embed -Store $to | Out-Null

        $caught = $null
        try { Copy-BatchJob -Job embed -Store $from -Destination $to -ErrorAction Stop } catch { $caught = $_ }

        $caught | Should -Not -BeNullOrEmpty
        $caught.FullyQualifiedErrorId | Should -BeLike 'JobExists,*'
        $caught.CategoryInfo.Category | Should -Be 'ResourceExists'
        $caught.Exception.Message | Should -BeLike "*already has a job 'embed' (1 items)*Nothing was copied*"
        $caught.ErrorDetails.RecommendedAction | Should -BeLike '*-Force*-DestinationJob*'
        (Get-BatchItem -Job embed -Store $to).Key | Should -Be 'other'

        $job = Copy-BatchJob -Job embed -Store $from -Destination $to -Force
        $job.Total | Should -Be 10
        Get-BatchItem -Job embed -Store $to -Key 'other' | Should -BeNullOrEmpty
    }

    It 'refuses to copy a job onto itself with JobCopyToItself' {
        $from = New-StartedJob

        $caught = $null
        try { Copy-BatchJob -Job embed -Store $from -Destination $from -Force -ErrorAction Stop } catch { $caught = $_ }

        $caught.FullyQualifiedErrorId | Should -BeLike 'JobCopyToItself,*'
        (Get-BatchJob -Job embed -Store $from).Total | Should -Be 10
    }

    It 'refuses a job the source does not have with JobNotFound, creating nothing' {
        $from = New-StartedJob
        $to = New-TestStorePath 'server'

        $caught = $null
        try { Copy-BatchJob -Job nope -Store $from -Destination $to -ErrorAction Stop } catch { $caught = $_ }

        $caught.FullyQualifiedErrorId | Should -BeLike 'JobNotFound,*'
        Test-Path -LiteralPath $to | Should -BeFalse
    }
}
