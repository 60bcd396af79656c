#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
<#
    A disk that fills up under a run, for real (issue 15, item 3): as root, a small tmpfs holds the store, the log
    folder or the backup destination; a filler file takes all but a little of it; the command fails with its own
    ErrorId and the free space it saw; the filler goes and the same command resumes. Skipped, with the reason, where
    a tmpfs cannot be mounted (not Linux, not root, a container without the right).
#>

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module $ModuleManifest -Force

    function Get-SmallDiskSkipReason {
        if (-not $IsLinux) { return 'needs Linux (a tmpfs mount)' }
        if ((& id -u) -ne '0') { return 'needs root, to mount a small tmpfs that can be filled' }
        $probe = Join-Path ([IO.Path]::GetTempPath()) "batchops-probe-$([guid]::NewGuid().ToString('N'))"
        $null = New-Item -ItemType Directory -Path $probe
        try {
            $said = & mount -t tmpfs -o size=64k tmpfs $probe 2>&1
            if ($LASTEXITCODE -ne 0) { return "mounting a tmpfs is not permitted here: $said" }
            & umount $probe
            return $null
        }
        finally { Remove-Item -LiteralPath $probe -Force -ErrorAction SilentlyContinue }
    }

    function New-SmallDisk {
        param([string] $Size = '2m')
        $path = Join-Path ([IO.Path]::GetTempPath()) "batchops-disk-$([guid]::NewGuid().ToString('N'))"
        $null = New-Item -ItemType Directory -Path $path
        & mount -t tmpfs -o "size=$Size" tmpfs $path
        if ($LASTEXITCODE -ne 0) { throw "mount of a tmpfs at $path failed" }
        $path
    }

    function Remove-SmallDisk {
        param([string] $Path)
        & umount -l $Path
        Remove-Item -LiteralPath $Path -Force -ErrorAction SilentlyContinue
    }

    # Leaves about $Leave bytes free on the disk, with real blocks (fallocate), in filler.bin.
    function Set-DiskFull {
        param([string] $Path, [long] $Leave)
        $free = ([IO.DriveInfo]::new($Path)).AvailableFreeSpace
        & fallocate -l ([Math]::Max(4096, $free - $Leave)) (Join-Path $Path 'filler.bin')
    }

    function Clear-DiskFull {
        param([string] $Path)
        Remove-Item -LiteralPath (Join-Path $Path 'filler.bin')
    }

    $script:SkipReason = Get-SmallDiskSkipReason
}

Describe 'A disk that fills up under Start-BatchRun' {
    BeforeEach {
        $disk = $null
        if ($SkipReason) { Set-ItResult -Skipped -Because $SkipReason; return }
    }

    AfterEach {
        if ($disk) { Remove-SmallDisk -Path $disk }
    }

    It 'stops with StoreDiskFull and the free space, leaves nothing in flight, and the same command resumes' {
        $disk = New-SmallDisk -Size '8m'
        $store = Join-Path $disk 'jobs.db'
        1..400 | ForEach-Object { 'chunk-{0:D4}' -f $_ } | Add-BatchItem -Job full -Store $store | Out-Null
        (Start-BatchRun -Job full -Store $store -MaxItems 50 -ScriptBlock { 'v' * 8192 }).Succeeded | Should -Be 50

        Set-DiskFull -Path $disk -Leave 300KB   # far less than the 2.8 MB the 350 results left need
        $failed = Start-BatchRun -Job full -Store $store -BatchSize 10 -ScriptBlock { 'v' * 8192 } -ErrorVariable err -ErrorAction SilentlyContinue

        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'StoreDiskFull*'
        $err[0].Exception.Message | Should -Match 'free of 8\.0 MB'
        $err[0].Exception.Message | Should -BeLike "*$store*"
        $err[0].ErrorDetails.RecommendedAction | Should -BeLike '*Start-BatchRun again*'
        $failed.State | Should -Be 'Failed'
        $job = Get-BatchJob -Job full -Store $store
        $job.Running | Should -Be 0
        $job.Pending + $job.Succeeded | Should -Be 400

        Clear-DiskFull -Path $disk
        $resumed = Start-BatchRun -Job full -Store $store -BatchSize 10 -ScriptBlock { 'v' * 8192 } -ErrorVariable err2
        $err2.Count | Should -Be 0
        $resumed.State | Should -Be 'Completed'
        (Get-BatchJob -Job full -Store $store).Succeeded | Should -Be 400
        50 + $failed.Succeeded + $resumed.Succeeded | Should -Be 400
    }

    It 'stops with LogDiskFull when the -LogPath folder fills, and resumes with its log once space is back' {
        $disk = New-SmallDisk
        $store = New-TestStorePath
        $logs = Join-Path $disk 'logs'
        Set-DiskFull -Path $disk -Leave 8KB
        $summary = 1..300 | Start-BatchRun -Job logs -Store $store -LogPath $logs -BatchSize 1 -ScriptBlock { $_ } -ErrorVariable err -ErrorAction SilentlyContinue

        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'LogDiskFull*'
        $err[0].Exception.Message | Should -BeLike "*'$logs'*free of 2.0 MB*"
        $summary | Should -Not -BeNullOrEmpty
        (Get-BatchJob -Job logs -Store $store).Running | Should -Be 0

        Clear-DiskFull -Path $disk
        $resumed = Start-BatchRun -Job logs -Store $store -LogPath $logs -ScriptBlock { $_ } -ErrorVariable err2
        $err2.Count | Should -Be 0
        (Get-BatchJob -Job logs -Store $store).Succeeded | Should -Be 300
        Get-Content -LiteralPath (Get-ChildItem -LiteralPath $logs -Filter *.log).FullName -Tail 1 | Should -BeLike "*Run $($resumed.RunId)*"
    }

    It 'Backup-VectorStore to a full disk fails with BackupDiskFull and leaves no set, not even a partial one' {
        $disk = New-SmallDisk
        $source = Join-Path $TestDrive 'faiss_index.bin'
        [IO.File]::WriteAllBytes($source, [byte[]]::new(600KB))
        $destination = Join-Path $disk 'backups'
        $null = New-Item -ItemType Directory -Path $destination
        Set-DiskFull -Path $disk -Leave 200KB

        $err = $null
        try { Backup-VectorStore -Path $source -Destination $destination } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'BackupDiskFull*'
        $err.Exception.Message | Should -BeLike "*'$destination'*free of 2.0 MB*"
        @(Get-ChildItem -LiteralPath $destination -Force).Count | Should -Be 0
        Get-VectorStoreBackup -Destination $destination | Should -BeNullOrEmpty

        Clear-DiskFull -Path $disk
        (Backup-VectorStore -Path $source -Destination $destination).TotalBytes | Should -Be 600KB
    }
}
