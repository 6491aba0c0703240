using Berth.Engine.Admission;
using Berth.Model.Queueing;
using Berth.TestKit;

namespace Berth.Engine.Tests.Admission;

public class QuotaTreeTests
{
    private const ResourceKind Gpu = ResourceKind.Gpu;

    private static QuotaTree Tree(params Queue[] queues) => new(new QueueConfiguration
    {
        Flavors = [new Flavor("default")],
        Cohorts = [new Cohort("org")],
        Queues = queues,
    });

    [Fact]
    public void Available_QueueWithoutCohort_IsNominalMinusUsage()
    {
        var tree = new QuotaTree(new QueueConfiguration { Flavors = [new Flavor("default")], Queues = [Make.Queue("a").Gpus(8).Build()] });
        tree.Add(0, 0, new Resources(0, 0, 3000));
        Assert.Equal(5000, tree.Available(0, 0, Gpu));
        Assert.Equal(0, tree.Share(0));
    }

    [Fact]
    public void Available_InCohort_IncludesWhatOthersLeaveUnused()
    {
        // a: 8, b: 4 in one cohort; b uses 1, so a may take 8 + (4 - 1) = 11.
        var tree = Tree(Make.Queue("a").InCohort("org").Gpus(8).Build(), Make.Queue("b").InCohort("org").Gpus(4).Build());
        tree.Add(1, 0, new Resources(0, 0, 1000));
        Assert.Equal(11_000, tree.Available(0, 0, Gpu));
        Assert.Equal(12_000, tree.SubtreeQuota(2, 0, Gpu)); // the cohort node is index 2
    }

    [Fact]
    public void Available_BorrowingLimit_CapsWhatIsTakenBeyondNominal()
    {
        var tree = Tree(Make.Queue("a").InCohort("org").Gpus(8, borrow: 2).Build(), Make.Queue("b").InCohort("org").Gpus(4).Build());
        Assert.Equal(10_000, tree.Available(0, 0, Gpu));
        Assert.Equal(12_000, tree.AvailableIgnoringBorrowingLimit(0, 0, Gpu));
        Assert.Equal(10_000, tree.Ceiling(0, 0, Gpu));
    }

    [Fact]
    public void Available_LendingLimit_KeepsTheRestForTheOwner()
    {
        // b lends at most 1 of its 4; a may take 8 + 1. b keeps 3 guaranteed even when a borrows all it can.
        var tree = Tree(Make.Queue("a").InCohort("org").Gpus(8).Build(), Make.Queue("b").InCohort("org").Gpus(4, lend: 1).Build());
        Assert.Equal(9_000, tree.Available(0, 0, Gpu));
        tree.Add(0, 0, new Resources(0, 0, 9000));
        Assert.Equal(3_000, tree.Available(1, 0, Gpu));
        Assert.Equal(0, tree.Available(0, 0, Gpu));
    }

    [Fact]
    public void Share_IsUsageAboveNominalOverPoolOverWeight()
    {
        // a: 4 nominal, weight 2, uses 7: (7 - 4) / 12 / 2 = 0.125.
        var tree = Tree(Make.Queue("a").InCohort("org").Gpus(4).Weight(2).Build(), Make.Queue("b").InCohort("org").Gpus(8).Build());
        tree.Add(0, 0, new Resources(0, 0, 7000));
        Assert.Equal(0.125, tree.Share(0), 9);
        Assert.Equal(0, tree.Share(1));
        Assert.True(tree.IsBorrowing(0, 0));
        Assert.False(tree.IsBorrowing(1, 0));
    }

    [Fact]
    public void Add_ThenRemove_RestoresEveryNode()
    {
        var tree = Tree(Make.Queue("a").InCohort("org").Gpus(4, lend: 2).Build(), Make.Queue("b").InCohort("org").Gpus(8).Build());
        var before = (tree.Available(0, 0, Gpu), tree.Available(1, 0, Gpu), tree.Usage(2, 0, Gpu));
        tree.Add(0, 0, new Resources(0, 0, 5000));
        Assert.Equal(3000, tree.Usage(2, 0, Gpu)); // a's guaranteed 2 is not counted in the cohort
        tree.Add(0, 0, new Resources(0, 0, -5000));
        Assert.Equal(before, (tree.Available(0, 0, Gpu), tree.Available(1, 0, Gpu), tree.Usage(2, 0, Gpu)));
    }
}
