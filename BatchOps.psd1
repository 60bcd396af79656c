@{
    # The source of truth for the module's version, exports and formats; the build reads the version from here.
    RootModule           = 'BatchOps.dll'
    # Imported before the root module: it makes the engine and its dependencies (in dependencies/) load in a
    # context of the module's own, so that other modules' versions of Polly or SQLite cannot clash with ours.
    NestedModules        = @('BatchOps.Loader.dll')
    ModuleVersion        = '0.1.0'
    GUID                 = '5a21acc1-3974-4b98-a2b0-401cc268c9de'
    Author               = 'BatchOps contributors'
    CompanyName          = 'BatchOps contributors'
    Copyright            = '(c) BatchOps contributors. All rights reserved.'
    Description          = 'Durable, resumable, observable batch jobs: feed work items through the pipeline and BatchOps processes them in batches with retries, rate limits, leases and a checkpoint after every batch, so that a crash, an OOM kill or a rate limit never costs work.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Core', 'Desktop')
    DotNetFrameworkVersion = '4.7.2'
    FormatsToProcess     = @('BatchOps.Format.ps1xml')
    CmdletsToExport      = @(
        'Add-BatchItem'
        'Backup-VectorStore'
        'Clear-BatchJob'
        'Copy-BatchJob'
        'Export-BatchResult'
        'Get-BatchCheckpoint'
        'Get-BatchHealth'
        'Get-BatchItem'
        'Get-BatchJob'
        'Get-BatchResult'
        'Get-BatchRun'
        'Get-VectorStoreBackup'
        'Remove-BatchJob'
        'Remove-BatchRun'
        'Remove-VectorStoreBackup'
        'Reset-BatchItem'
        'Restore-VectorStore'
        'Resume-BatchRun'
        'Start-BatchRun'
        'Stop-BatchRun'
        'Suspend-BatchRun'
        'Test-BatchJob'
        'Test-VectorStoreBackup'
        'Wait-BatchJob'
        'Watch-BatchHealth'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('batch', 'resume', 'checkpoint', 'retry', 'ratelimit', 'health', 'backup', 'sqlite', 'jobs', 'PSEdition_Core', 'PSEdition_Desktop', 'Windows', 'Linux', 'MacOS')
        }
    }
}
