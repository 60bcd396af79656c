# The README's examples run as written. Every fenced block opened with "```powershell runnable" runs, in the order of
# the README, as its own `pwsh -NonInteractive -File` script in one folder that holds the stand-ins the examples name
# (tests/Pester/StandIns: a products.csv, an embed.py "API", a FAISS index ...), with $env:BATCHOPS_STORE set there.
# A block that writes an error or exits non-zero fails.

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $blocks = [System.Collections.Generic.List[hashtable]]::new()
    $lines = Get-Content -LiteralPath (Join-Path $RepoRoot 'README.md')
    for ($i = 0; $i -lt $lines.Count; $i++) {
        if ($lines[$i] -match '^```powershell runnable\s*$') {
            $start = $i + 1
            $end = $start
            while ($lines[$end] -notmatch '^```\s*$') { $end++ }
            $blocks.Add(@{ Line = $start; Code = ($lines[$start..($end - 1)] -join "`n") })
            $i = $end
        }
    }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $folder = Join-Path $TestDrive 'readme'
    Copy-Item -Path (Join-Path $PSScriptRoot 'StandIns') -Destination $folder -Recurse
}

Describe 'The README' {
    It 'has runnable examples' -ForEach @(@{ Found = $blocks.Count }) {
        $Found | Should -BeGreaterOrEqual 3
    }

    It 'runs the block at README.md line <Line>' -ForEach $blocks {
        $script = Join-Path $TestDrive "readme-$Line.ps1"
        Set-Content -LiteralPath $script -Value @"
`$ErrorActionPreference = 'Stop'
`$PSStyle.OutputRendering = 'PlainText'
Import-Module '$ModuleManifest'
Set-Location -LiteralPath '$folder'
`$env:BATCHOPS_STORE = Join-Path '$folder' 'batchops.db'
$Code
"@
        $errors = Join-Path $TestDrive "readme-$Line.err"
        $output = & $Pwsh -NoProfile -NonInteractive -File $script 2>$errors | Out-String
        $problem = (Get-Content -LiteralPath $errors -Raw) + "`n$output"
        $LASTEXITCODE | Should -Be 0 -Because $problem
        (Get-Content -LiteralPath $errors -Raw) | Should -BeNullOrEmpty
    }
}
