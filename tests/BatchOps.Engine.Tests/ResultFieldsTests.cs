using System.Collections.Generic;
using System.Linq;
using BatchOps.Engine.Reporting;
using Xunit;

namespace BatchOps.Engine.Tests;

public class ResultFieldsTests
{
    [Fact]
    public void A_json_object_result_gives_its_fields_as_plain_values()
    {
        var fields = ResultFields.Of("{\"Sku\":\"P-1\",\"Score\":87,\"Ratio\":0.5,\"Ok\":true,\"Note\":null,\"Tags\":[\"a\"]}")!;
        Assert.Equal(new[] { "Sku", "Score", "Ratio", "Ok", "Note", "Tags" }, fields.Select(f => f.Key));
        Assert.Equal(new object?[] { "P-1", 87L, 0.5, true, null, "[\"a\"]" }, fields.Select(f => f.Value).ToArray());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("plain text")]
    [InlineData("[1, 2]")]
    [InlineData("{ not json")]
    public void Anything_else_is_not_fields(string? result) => Assert.Null(ResultFields.Of(result));
}
