using Berth.Engine.Policies;
using Berth.Simulation.Input;

namespace Berth.Cli.Tests;

public sealed class PolicyListTests
{
    [Fact]
    public void Parse_All_GivesEveryPolicyInDisplayOrder() => Assert.Equal(PlacementPolicies.Names, PolicyList.Parse("all"));

    [Fact]
    public void Parse_List_KeepsTheGivenOrder() => Assert.Equal(["random", "fgd"], PolicyList.Parse("random, FGD"));

    [Theory]
    [InlineData("fgd,nope", "unknown policy 'nope'")]
    [InlineData("fgd,fgd", "appears twice")]
    [InlineData("fgd,,bestfit", "empty name")]
    public void Parse_BadList_ThrowsInputException(string text, string problem)
    {
        var e = Assert.Throws<InputException>(() => PolicyList.Parse(text));

        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }
}
