# The help a user reads: Get-Help of the imported module, in the style of PSScriptAnalyzer's ModuleHelp tests.
# The help ships as en-US/BatchOps.dll-Help.xml, made from docs/*.md by `build.ps1 -Task Docs` and committed.

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module $ModuleManifest -Force
    $commands = Get-Command -Module BatchOps -CommandType Cmdlet | ForEach-Object { @{ Name = $_.Name } }
    $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
    $parameters = foreach ($command in Get-Command -Module BatchOps -CommandType Cmdlet) {
        foreach ($parameter in $command.Parameters.Values | Where-Object Name -NotIn $common) {
            @{ Command = $command.Name; Parameter = $parameter.Name }
        }
    }
    $numbers = foreach ($command in Get-Command -Module BatchOps -CommandType Cmdlet) {
        foreach ($parameter in $command.Parameters.Values | Where-Object Name -NotIn $common) {
            $type = $parameter.ParameterType
            if ($type.IsGenericType) { $type = $type.GetGenericArguments()[0] }
            if ($type -in [int], [long], [double], [timespan]) {
                $duration = $type -eq [timespan] -or $parameter.Name -match 'Timeout|Duration|Delay|Wait|Interval|After$'
                @{ Command = $command.Name; Parameter = $parameter.Name; Duration = $duration }
            }
        }
    }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    . (Join-Path $RepoRoot 'tools' 'BuildTools.ps1')
    Import-Module $ModuleManifest -Force
}

Describe 'Help of <Name>' -ForEach $commands {
    BeforeAll {
        $help = Get-Help $Name -Full
    }

    It 'is written, not generated from the syntax' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        # Help that PowerShell makes up has the syntax as its synopsis and no description.
        $help.Synopsis | Should -Not -Match '<CommonParameters>'
    }

    It 'has a description' {
        ($help.Description.Text -join ' ').Length | Should -BeGreaterThan 40
    }

    It 'has at least two examples, each with code and a remark' {
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 2
        foreach ($example in $help.Examples.Example) {
            $example.Code | Should -Match $Name -Because "each example of $Name uses it"
            ($example.Remarks.Text -join '').Trim() | Should -Not -BeNullOrEmpty
        }
    }

    It 'shows its examples with Get-Help -Examples' {
        $text = Get-Help $Name -Examples | Out-String -Width 120
        $text | Should -Match 'Example 1'
        $text | Should -Match 'Example 2'
    }
}

Describe 'Help of <Command> -<Parameter>' -ForEach $parameters {
    BeforeAll {
        $real = (Get-Command $Command).Parameters[$Parameter]
        $help = (Get-Help $Command -Parameter $Parameter)
    }

    It 'has a description' {
        ($help.Description.Text -join ' ').Trim() | Should -Not -BeNullOrEmpty
    }

    It 'gives the real type' {
        $type = $real.ParameterType
        if ($type.IsGenericType -and $type.GetGenericTypeDefinition() -eq [Nullable`1]) { $type = $type.GetGenericArguments()[0] }
        $help.Type.Name | Should -Be $type.Name
    }

    It 'says Required exactly when the parameter is mandatory in one of its sets' {
        $mandatory = @($real.ParameterSets.Values | Where-Object IsMandatory).Count -gt 0
        ($help.Required -eq 'true') | Should -Be $mandatory
    }
}

Describe 'Numbers and durations in the help' {
    # A number without its unit is a guess: every numeric or duration parameter says what it counts or measures.
    It 'says the unit of <Command> -<Parameter>' -ForEach $numbers {
        $text = (Get-Help $Command -Parameter $Parameter).Description.Text -join ' '
        if ($Duration) {
            $text | Should -Match '\bseconds?\b' -Because 'a duration says that a plain number is seconds'
        }
        else {
            $text | Should -Match '\b(seconds?|days|percent(age)?|fraction|items?|sets|samples|batches|runs|retries|attempts|exit code)\b'
        }
    }
}

Describe 'The committed MAML' {
    It 'is what platyPS makes of docs/ (run build.ps1 -Task Docs after editing docs/)' {
        if (-not (Get-PlatyPSModule)) {
            Set-ItResult -Skipped -Because 'platyPS is not installed here, nor in ../shared/tools/platyPS'
            return
        }
        $made = New-BatchOpsHelp -OutputPath (Join-Path $TestDrive 'maml')
        $committed = Join-Path $RepoRoot 'en-US' 'BatchOps.dll-Help.xml'
        (Get-Content -LiteralPath $made.FullName -Raw) | Should -BeExactly (Get-Content -LiteralPath $committed -Raw)
    }

    It 'keeps every $_ of docs/<Name>.md (platyPS drops underscores it takes for emphasis)' -ForEach $commands {
        [xml] $maml = Get-Content -LiteralPath (Join-Path $RepoRoot 'en-US' 'BatchOps.dll-Help.xml') -Raw
        $node = $maml.helpItems.command | Where-Object { $_.details.name -eq $Name }
        # What is left of `$_` or `BATCHOPS_*` when the underscore is taken: "`$ `", "$ .Path", "BATCHOPS *".
        $node.InnerText | Should -Not -MatchExactly '\$ [.`)}\]]|BATCHOPS \*'
    }

    It 'is staged into the module by the build' {
        $staged = Join-Path (Split-Path $ModuleManifest) 'en-US' 'BatchOps.dll-Help.xml'
        (Get-FileHash $staged).Hash | Should -Be (Get-FileHash (Join-Path $RepoRoot 'en-US' 'BatchOps.dll-Help.xml')).Hash
    }
}

Describe 'about_BatchOps' {
    It 'is found by Get-Help' {
        Get-Help about_BatchOps | Out-String | Should -Match 'at least once'
    }
}
