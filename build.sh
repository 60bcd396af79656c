#!/usr/bin/env bash
# Runs build.ps1 (Build, Test, Demo or Docs) in PowerShell 7.4 or later: the pwsh on PATH when it is recent enough,
# else PowerShell 7.6.9 installed once from NuGet as a .NET tool into out/tools (needs only the .NET SDK 10).
#   ./build.sh Demo     build the module and run a real batch job on the embedded SQLite store
#   ./build.sh Test     build and run every test (xunit and Pester); the last line is "N passed, N failed"
set -euo pipefail
cd "$(dirname "$0")"
task="${1:-Build}"
shift || true

pwsh_version_ok() {
    "$1" -NoProfile -NonInteractive -Command \
        'if ($PSVersionTable.PSVersion -ge [version]"7.4") { exit 0 } else { exit 1 }' >/dev/null 2>&1
}

pwsh=""
if command -v pwsh >/dev/null 2>&1 && pwsh_version_ok pwsh; then
    pwsh="$(command -v pwsh)"
else
    tools="out/tools"
    if [ ! -x "$tools/pwsh" ]; then
        if ! command -v dotnet >/dev/null 2>&1; then
            echo "The .NET SDK (10) is required and was not found on PATH." >&2
            exit 1
        fi
        echo "No PowerShell 7.4+ on PATH: installing PowerShell 7.6.9 from NuGet into $tools (once)."
        dotnet tool install PowerShell --version 7.6.9 --tool-path "$tools" >/dev/null
    fi
    pwsh="$tools/pwsh"
fi

# Tests and the demo start child processes with the same pwsh.
export BATCHOPS_PWSH="$(cd "$(dirname "$pwsh")" && pwd)/$(basename "$pwsh")"
exec "$pwsh" -NoProfile -NonInteractive -File ./build.ps1 -Task "$task" "$@"
