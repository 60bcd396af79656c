# What only a real pwsh proves: background jobs, Tab completion, progress records, a second process beside other
# versions of our dependencies.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module $ModuleManifest -Force
}

Describe 'Start-BatchRun -AsJob' {
    It 'runs in the background; Receive-Job returns the summary' {
        $store = New-TestStorePath 'asjob'
        $job = 1..5 | Start-BatchRun -Job background -Store $store -AsJob -ScriptBlock { $_ * 2 }
        $job.PSJobTypeName | Should -Be 'BatchOpsRun'

        $summary = $job | Wait-Job | Receive-Job
        $job.State | Should -Be 'Completed'
        $summary.PSTypeNames[0] | Should -Be 'BatchOps.BatchRunSummary'
        $summary.Succeeded | Should -Be 5
        (Get-BatchItem -Job background -Store $store -Key 5).Result | Should -Be '10'
    }

    It 'stops gracefully on Stop-Job: what is in flight finishes, the rest stays pending' {
        $store = New-TestStorePath 'stopjob'
        $job = 1..40 | Start-BatchRun -Job slow -Store $store -AsJob -BatchSize 1 -ThrottleLimit 1 -ScriptBlock {
            Start-Sleep -Milliseconds 100
            $_
        }
        # The product's own waiter: returns once a tenth of the job is done.
        Wait-BatchJob -Job slow -Store $store -TargetPercent 10 -Timeout ([timespan]::FromMinutes(1)) | Out-Null

        $job | Stop-Job
        $job.State | Should -Be 'Stopped'
        ($job | Receive-Job).StopReason | Should -Be 'StopRequested'
        $after = Get-BatchJob -Name slow -Store $store
        $after.Running | Should -Be 0
        $after.Pending | Should -BeGreaterThan 0
        (Get-BatchCheckpoint -Job slow -Store $store).State | Should -Be 'Stopped'
    }
}

Describe 'Tab completion (TabExpansion2)' {
    BeforeAll {
        $store = New-TestStorePath 'tab'
        'a' | Add-BatchItem -Job embed-chunks -Store $store | Out-Null
        'a' | Add-BatchItem -Job evaluate-feed -Store $store | Out-Null
        'a' | Add-BatchItem -Job import-docs -Store $store | Out-Null

        function Complete([string] $line) {
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        }
    }

    It 'completes -Job from the store the command names' {
        Complete "Get-BatchCheckpoint -Store '$store' -Job e" | Should -Be @('embed-chunks', 'evaluate-feed')
    }

    It 'completes -Job from $env:BATCHOPS_STORE when no -Store is typed' {
        $env:BATCHOPS_STORE = $store
        try {
            Complete 'Start-BatchRun -Job im' | Should -Be @('import-docs')
        }
        finally {
            Remove-Item Env:BATCHOPS_STORE
        }
    }

    It 'completes -Status with the item states' {
        Complete "Get-BatchItem -Store '$store' -Job embed-chunks -Status F" | Should -Be @('Failed')
    }

    It 'offers nothing, and no error, for a store that does not exist' {
        Complete "Get-BatchJob -Store '$(Join-Path $TestDrive 'none.db')' -Name " | Should -BeNullOrEmpty
        Test-Path (Join-Path $TestDrive 'none.db') | Should -BeFalse
    }
}

Describe 'Progress' {
    It 'writes throttled progress records for the run, ending with a completed record' {
        $store = New-TestStorePath 'progress'
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddScript({
                    param($manifest, $store)
                    Import-Module $manifest
                    1..200 | Start-BatchRun -Job progress -Store $store -BatchSize 10 -ScriptBlock { $_ }
                }).AddArgument($ModuleManifest).AddArgument($store)
            $summary = $shell.Invoke()
            $records = @($shell.Streams.Progress)
        }
        finally {
            $shell.Dispose()
        }

        $summary.Succeeded | Should -Be 200
        $records.Count | Should -BeGreaterThan 1
        $records.Count | Should -BeLessThan 60 -Because 'progress is throttled, not written per item'
        $records[0].Activity | Should -Match 'progress'
        $records[-1].RecordType | Should -Be 'Completed'
        $percents = @($records | Where-Object RecordType -EQ 'Processing' | ForEach-Object PercentComplete)
        $percents | Should -Be ($percents | Sort-Object) -Because 'progress never goes backwards'
    }

    It 'writes none when $ProgressPreference is SilentlyContinue' {
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddScript({
                    param($manifest, $store)
                    Import-Module $manifest
                    $ProgressPreference = 'SilentlyContinue'
                    1..20 | Start-BatchRun -Job quiet -Store $store -ScriptBlock { $_ }
                }).AddArgument($ModuleManifest).AddArgument((New-TestStorePath 'quiet'))
            $null = $shell.Invoke()
            $shell.Streams.Progress.Count | Should -Be 0
        }
        finally {
            $shell.Dispose()
        }
    }
}

Describe 'Dependency isolation in a real process' {
    It 'imports and runs in a pwsh that loaded another Polly.Core first, beside pwsh''s own Microsoft.Bcl.AsyncInterfaces' {
        # tests/BatchOps.Module.Tests brings Polly.Core 8.5.2 (the module ships 8.9.1); a fresh pwsh loads it first, as
        # another module would. pwsh itself already carries a Microsoft.Bcl.AsyncInterfaces newer than the module's 8.0.
        $bin = Join-Path $RepoRoot 'tests' 'BatchOps.Module.Tests' 'bin'
        $polly = Get-ChildItem $bin -Recurse -Filter Polly.Core.dll -ErrorAction SilentlyContinue | Select-Object -First 1
        if (-not $polly) {
            Set-ItResult -Skipped -Because 'tests/BatchOps.Module.Tests is not built, and it brings the other versions'
            return
        }

        $result = & $Pwsh -NoProfile -NonInteractive -Command {
            param($polly, $manifest, $store)
            Add-Type -Path $polly
            $pwshBcl = [System.Reflection.Assembly]::Load('Microsoft.Bcl.AsyncInterfaces') # pwsh's own, into the default context
            Import-Module $manifest -ErrorAction Stop
            $summary = 1..5 | Start-BatchRun -Job isolated -Store $store -RetryLimit 1 -RetryDelay 0 -RateLimit 1000 -ScriptBlock { $_ }
            $context = [System.Runtime.Loader.AssemblyLoadContext]::All | Where-Object Name -EQ 'BatchOps'
            [pscustomobject]@{
                Succeeded = $summary.Succeeded
                Theirs    = [System.Diagnostics.FileVersionInfo]::GetVersionInfo([Polly.ResiliencePipeline].Assembly.Location).FileVersion
                Ours      = [System.Diagnostics.FileVersionInfo]::GetVersionInfo(($context.Assemblies | Where-Object { $_.GetName().Name -eq 'Polly.Core' }).Location).FileVersion
                PwshBcl   = $pwshBcl.GetName().Version.Major
                OurBcl    = @($context.Assemblies | Where-Object { $_.GetName().Name -eq 'Microsoft.Bcl.AsyncInterfaces' } | ForEach-Object { $_.GetName().Version.Major })
            }
        } -args $polly.FullName, $ModuleManifest, (New-TestStorePath 'isolated')

        $result.Succeeded | Should -Be 5
        $result.Theirs | Should -BeLike '8.5.2*'
        $result.Ours | Should -BeLike '8.9.1*'
        $result.PwshBcl | Should -BeGreaterThan 8
        $result.OurBcl | Should -Be @(8)
    }

    It 'keeps the PSTypeNames that formatting uses; the engine types are reached by assembly-qualified name' {
        $store = New-TestStorePath 'types'
        'a' | Add-BatchItem -Job types -Store $store | Out-Null
        $job = Get-BatchJob -Name types -Store $store
        $job.PSTypeNames[0] | Should -Be 'BatchOps.BatchJob'
        $job -is [BatchOps.BatchJob, BatchOps.Engine] | Should -BeTrue
    }
}
