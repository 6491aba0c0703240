using Berth.Engine.Fragmentation;
using Berth.Engine.Framework;
using Berth.Model;
using Berth.TestKit;
using static Berth.Engine.Tests.EngineTestHelpers;

namespace Berth.Engine.Tests.Fragmentation;

public sealed class FragmentCalculatorTests
{
    /// <summary>
    /// One node's state, a target workload, and F derived by hand from placement.md. The cluster has an
    /// A100 node (index 0, the one measured) and a V100M16 node, so both model ids exist.
    /// </summary>
    public sealed record Case(string Name, int[] Free, long FreeCpu, TargetWorkload Workload, double Expected)
    {
        public override string ToString() => Name;
    }

    private static readonly int[] AllFree = [1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000];
    private static readonly int[] OneAt400 = [400, 1000, 1000, 1000, 1000, 1000, 1000, 1000];

    public static TheoryData<Case> Cases => new()
    {
        new("Eight free GPUs and a whole-GPU workload leave no fragment", AllFree, 32_000, Only(1000, 1000, 1), 0),
        new("One GPU at 400 is all fragment for a whole-GPU workload", OneAt400, 32_000, Only(1000, 1000, 1), 400),
        new("One GPU at 400 is fragment for a half-GPU workload (400 < 500)", OneAt400, 32_000, Only(1000, 500, 1), 400),
        new("One GPU at 400 is no fragment for a quarter-GPU workload", OneAt400, 32_000, Only(1000, 250, 1), 0),
        new("A share equal to the free amount fits, so it is no fragment", OneAt400, 32_000, Only(1000, 400, 1), 0),
        new("A CPU-only type makes all idle GPU fragment", OneAt400, 32_000, Only(1000, 0, 0), 7400),
        new("A type that may not use the node's model makes all idle GPU fragment", OneAt400, 32_000, Only(1000, 500, 1, "V100M16"), 7400),
        new("A type limited to a model absent from the cluster makes all idle GPU fragment", OneAt400, 32_000, Only(1000, 500, 1, "H100"), 7400),
        new("A type allowed on this model is measured normally", OneAt400, 32_000, Only(1000, 500, 1, "V100M16", "A100"), 400),
        new("Insufficient CPU makes all idle GPU fragment", OneAt400, 999, Only(1000, 500, 1), 7400),
        new("Exactly enough CPU is enough", OneAt400, 1000, Only(1000, 500, 1), 400),
        new("Too few fitting GPUs make all idle GPU fragment", OneAt400, 32_000, Only(1000, 1000, 8), 7400),
        new("Exactly enough fitting GPUs leave only the small leftovers", OneAt400, 32_000, Only(1000, 1000, 7), 400),
        new("A fully allocated node has no fragment", [0, 0, 0, 0, 0, 0, 0, 0], 32_000, Only(1000, 0, 0), 0),
        new(
            "A mixed workload weights each type's fragment by its probability",
            OneAt400,
            32_000,
            new TargetWorkload([new WorkloadType(1000, 0, 0, [], 0.25), new WorkloadType(1000, 500, 1, [], 0.5), new WorkloadType(1000, 250, 1, [], 0.25)]),
            (0.25 * 7400) + (0.5 * 400) + (0.25 * 0)),
        new(
            "Small leftovers on several GPUs add up",
            [100, 300, 600, 1000, 0, 0, 0, 0],
            32_000,
            Only(1000, 500, 1),
            400),
    };

    private static ClusterState TwoModelCluster() => new([
        Make.Node("a100").Gpus(8, "A100").Build(),
        Make.Node("v100").Gpus(8, "V100M16").Build(),
    ]);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Compute_HandDerivedCase_GivesExpectedFragment(Case c)
    {
        var cluster = TwoModelCluster();
        var calculator = new FragmentCalculator(cluster, c.Workload);

        var value = calculator.Compute(cluster.ModelIdOf(0), c.Free, c.FreeCpu);

        Assert.Equal(c.Expected, value, 9);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void NodeFragment_HandDerivedCase_AgreesWithCompute(Case c)
    {
        var cluster = TwoModelCluster();
        var calculator = new FragmentCalculator(cluster, c.Workload);
        var free = c.Free.ToArray();

        var first = calculator.NodeFragment(cluster.ModelIdOf(0), free, c.FreeCpu);
        var memoised = calculator.NodeFragment(cluster.ModelIdOf(0), free, c.FreeCpu);

        Assert.Equal(c.Expected, first, 9);
        Assert.Equal(first, memoised);
        Assert.Equal(c.Free, free); // the input is not sorted in place
    }

    [Fact]
    public void NodeFragment_PermutedFreeVector_GivesSameValue()
    {
        var cluster = TwoModelCluster();
        var calculator = new FragmentCalculator(cluster, Only(1000, 500, 1));

        var a = calculator.NodeFragment(0, [400, 1000, 100, 700], 32_000);
        var b = calculator.NodeFragment(0, [1000, 100, 700, 400], 32_000);

        Assert.Equal(500, a, 9);
        Assert.Equal(a, b);
    }

    [Fact]
    public void NodeFragment_CpuOnlyNode_IsZero()
    {
        var cluster = new ClusterState([Make.Node("cpu").Build(), Make.Node("g").Gpus(1).Build()]);
        var calculator = new FragmentCalculator(cluster, Only(1000, 0, 0));

        Assert.Equal(0, calculator.NodeFragment(cluster.ModelIdOf(0), cluster.GpuFreeOf(0), cluster.FreeCpuOf(0)));
        Assert.Equal(1000, calculator.NodeFragment(cluster.ModelIdOf(1), cluster.GpuFreeOf(1), cluster.FreeCpuOf(1)));
    }

    [Fact]
    public void NodeFragment_FreeCpuAcrossThresholds_MemoDistinguishesEachSide()
    {
        // Two types with CPU thresholds 1000 and 4000: the memo must keep the three CPU ranges apart.
        var cluster = TwoModelCluster();
        var workload = new TargetWorkload([new WorkloadType(1000, 500, 1, [], 0.5), new WorkloadType(4000, 500, 1, [], 0.5)]);
        var calculator = new FragmentCalculator(cluster, workload);
        int[] free = [400, 1000];

        Assert.Equal(1400, calculator.NodeFragment(0, free, 999), 9);
        Assert.Equal((0.5 * 400) + (0.5 * 1400), calculator.NodeFragment(0, free, 1000), 9);
        Assert.Equal((0.5 * 400) + (0.5 * 1400), calculator.NodeFragment(0, free, 3999), 9);
        Assert.Equal(400, calculator.NodeFragment(0, free, 4000), 9);
        Assert.Equal(1400, calculator.NodeFragment(0, free, 0), 9);
    }

    [Fact]
    public void Tracker_AfterAllocations_SumsNodeFragmentsAndRatios()
    {
        // Two 2-GPU nodes, half-GPU workload. Node 0: [400, 1000] -> F 400. Node 1: [1000, 1000] -> F 0.
        var cluster = new ClusterState([Make.Node("n0").Gpus(2).Build(), Make.Node("n1").Gpus(2).Build()]);
        var tracker = new FragmentationTracker(cluster, new FragmentCalculator(cluster, Only(1000, 500, 1)));
        Assert.Equal(0, tracker.FragmentMilli);

        Occupy(cluster, 0, 0, 600);
        tracker.Refresh(0);

        Assert.Equal(400, tracker.FragmentMilli, 9);
        Assert.Equal(400.0 / 4000, tracker.FragmentOfCapacity, 9);
        Assert.Equal(400.0 / 3400, tracker.FragmentOfIdle, 9);
        Assert.Equal(400, tracker.NodeFragment(0), 9);
        Assert.Equal(0, tracker.NodeFragment(1), 9);
    }

    [Fact]
    public void Tracker_AfterRelease_ReturnsToZero()
    {
        var cluster = new ClusterState([Make.Node("n0").Gpus(2).Build()]);
        var tracker = new FragmentationTracker(cluster, new FragmentCalculator(cluster, Only(1000, 500, 1)));
        var request = new PodRequest(0, 0, 1, 600, PodRequest.AnyModel, false);
        cluster.Allocate(0, request, 1);
        tracker.RefreshAll();
        Assert.Equal(400, tracker.FragmentMilli, 9);

        cluster.Release(0, request, 1);
        tracker.RefreshAll();

        Assert.Equal(0, tracker.FragmentMilli, 9);
    }
}
