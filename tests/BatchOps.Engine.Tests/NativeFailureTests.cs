using BatchOps.Engine.Processing;
using Xunit;

namespace BatchOps.Engine.Tests;

public class NativeFailureTests
{
    [Theory]
    [InlineData("", "Exit code 2.")]
    [InlineData("no such file\n", "Exit code 2: no such file")]
    [InlineData("Traceback (most recent call last):\n  File \"embed.py\", line 3\nValueError: bad chunk\n\n", "Exit code 2: ValueError: bad chunk\nTraceback (most recent call last):\n  File \"embed.py\", line 3\nValueError: bad chunk")]
    public void The_program_s_last_word_comes_first(string standardError, string expected)
    {
        Assert.Equal(expected.Replace("\n", System.Environment.NewLine, System.StringComparison.Ordinal), NativeFailure.Message(2, standardError).Replace("\r\n", "\n", System.StringComparison.Ordinal).Replace("\n", System.Environment.NewLine, System.StringComparison.Ordinal));
    }
}
