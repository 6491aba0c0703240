using Berth.Simulation.Input;

namespace Berth.Cli.Tests;

public sealed class SeedListTests
{
    public static TheoryData<string, int[]> Valid() => new()
    {
        { "7", [7] },
        { "42-45", [42, 43, 44, 45] },
        { "42,43,50", [42, 43, 50] },
        { " 1-3 , 9 ", [1, 2, 3, 9] },
        { "0", [0] },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void Parse_ValidText_GivesSeedsInOrder(string text, int[] expected) => Assert.Equal(expected, SeedList.Parse(text));

    [Theory]
    [InlineData("", "empty item")]
    [InlineData("42,", "empty item")]
    [InlineData("5-1", "backwards")]
    [InlineData("a", "'a' is not a seed")]
    [InlineData("-3", "'-3' is not a seed")]
    [InlineData("1,2,1", "appears twice")]
    [InlineData("1-2000000", "more than")]
    [InlineData("99999999999", "not a seed")]
    public void Parse_BadText_ThrowsNamingTheProblem(string text, string problem)
    {
        var e = Assert.Throws<InputException>(() => SeedList.Parse(text));

        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        Assert.StartsWith("--seeds", e.Message, StringComparison.Ordinal);
    }
}
