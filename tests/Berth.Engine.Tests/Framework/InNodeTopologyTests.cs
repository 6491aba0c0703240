using Berth.Engine.Fragmentation;
using Berth.Engine.Framework;
using Berth.Engine.Policies;
using Berth.Model;
using Berth.Model.Gpus;
using Berth.TestKit;

namespace Berth.Engine.Tests.Framework;

/// <summary>
/// GPUs inside a node: a multi-GPU pod gets one NVLink island where one has room, and under single-numa-node its GPUs,
/// CPUs and memory come from one NUMA node or it does not fit there.
/// </summary>
public class InNodeTopologyTests
{
    private const int Whole = Limits.GpuMilliPerGpu;

    /// <summary>An 8-GPU node of two 4-GPU islands, each island on its own NUMA node of 32 cores and 256 GiB.</summary>
    private static Node TwoIslands(TopologyPolicy policy = TopologyPolicy.None) =>
        Make.Node("n").Cpu(64_000).Memory(512 * 1024).Gpus(8).Build() with
        {
            Topology = NodeTopology.FromLists(8, [0, 0, 0, 0, 1, 1, 1, 1], [0, 0, 1, 1, 2, 2, 3, 3], [0, 0, 0, 0, 1, 1, 1, 1], [new NumaNode(32_000, 256 * 1024), new NumaNode(32_000, 256 * 1024)], 64_000, 512 * 1024, policy),
        };

    private static Pod Gpus(string name, int count, bool singleNuma = false, long cpu = 8_000) =>
        new() { Name = name, CpuMilli = cpu, MemoryMiB = 16 * 1024, GpuCount = count, GpuMilli = Whole, SingleNumaNode = singleNuma };

    private static Placer PlacerFor(string policy, params Node[] nodes) =>
        new(PlacementPolicies.Get(policy), new PluginContext(new ClusterState(nodes), TargetWorkload.FromPods([Gpus("t", 1)])), 1);

    private static int[] Indices(int mask) => Enumerable.Range(0, 32).Where(g => (mask & (1 << g)) != 0).ToArray();

    [Theory]
    [InlineData("bestfit")]
    [InlineData("fgd")]
    public void Place_FourGpuPodWithOneGpuTaken_GetsTheWholeOtherIsland(string policy)
    {
        var placer = PlacerFor(policy, TwoIslands());
        placer.Reserve(placer.Cluster.Compile(Gpus("one", 1)), 0, 1 << 0);

        var result = placer.Place(Gpus("four", 4));

        Assert.True(result.Placed);
        Assert.Equal([4, 5, 6, 7], Indices(result.GpuMask));
    }

    [Fact]
    public void Place_TwoGpuPod_TakesOnePcieSwitchOfTheTighterIsland()
    {
        var placer = PlacerFor("bestfit", TwoIslands());
        placer.Reserve(placer.Cluster.Compile(Gpus("one", 1)), 0, 1 << 4);

        var result = placer.Place(Gpus("two", 2));

        // Island 1 has three free GPUs (tighter than island 0's four); inside it switch 3 (GPUs 6, 7) is whole.
        Assert.Equal([6, 7], Indices(result.GpuMask));
    }

    public static TheoryData<string, TopologyPolicy, bool, bool> OneTakenInEachIsland => new()
    {
        { "a plain 4-GPU pod fits across the islands", TopologyPolicy.None, false, true },
        { "a 4-GPU pod asking single-numa-node does not fit", TopologyPolicy.None, true, false },
        { "under the node's single-numa-node policy a 4-GPU pod does not fit", TopologyPolicy.SingleNumaNode, false, false },
        { "best-effort never refuses", TopologyPolicy.BestEffort, false, true },
    };

    [Theory]
    [MemberData(nameof(OneTakenInEachIsland))]
    public void Place_OneGpuTakenInEachIsland_FitsOnlyWithoutSingleNumaNode(string scenario, TopologyPolicy policy, bool podAsks, bool fits)
    {
        var placer = PlacerFor("bestfit", TwoIslands(policy));
        placer.Reserve(placer.Cluster.Compile(Gpus("a", 1)), 0, 1 << 0);
        placer.Reserve(placer.Cluster.Compile(Gpus("b", 1)), 0, 1 << 4);

        var result = placer.Place(Gpus("four", 4, podAsks));

        Assert.True(fits == result.Placed, scenario);
        if (!fits)
        {
            Assert.Contains(result.Diagnosis!.Reasons, r => r.Reason == Placer.NoNumaRoom);
        }
    }

    [Fact]
    public void Place_SingleNumaPodWhoseCpusOnlyFitTheSecondNumaNode_GetsGpusThere()
    {
        var placer = PlacerFor("bestfit", TwoIslands());
        placer.Place(Gpus("big", 1, singleNuma: true, cpu: 30_000)); // pins 30 of NUMA 0's 32 cores

        var result = placer.Place(Gpus("next", 2, singleNuma: true, cpu: 4_000));

        Assert.True(result.Placed);
        Assert.All(Indices(result.GpuMask), g => Assert.True(g >= 4, $"GPU {g} is on NUMA node 0, which has 2 cores left"));
        var topology = placer.Cluster.TopologyOf(0)!;
        Assert.Equal(2_000, topology.UnpinnedCpuOf(0));
        Assert.Equal(28_000, topology.UnpinnedCpuOf(1));
    }

    [Fact]
    public void Unreserve_SingleNumaPod_GivesItsNumaCpusBack()
    {
        var placer = PlacerFor("bestfit", TwoIslands());
        var pod = Gpus("p", 4, singleNuma: true, cpu: 32_000);
        var result = placer.Place(pod);
        Assert.Equal(0, placer.Cluster.TopologyOf(0)!.UnpinnedCpuOf(0));

        placer.Unreserve(pod, result.NodeIndex, result.GpuMask);

        Assert.Equal(32_000, placer.Cluster.TopologyOf(0)!.UnpinnedCpuOf(0));
    }

    [Fact]
    public void Place_RandomNodesAndPods_NeverGivesAGpuTwiceAndAlignsEverySingleNumaPod()
    {
        var aligned = 0;
        for (var seed = 0; seed < PropertyRuns.Iterations(40); seed++)
        {
            var random = new Random(seed);
            var nodes = Enumerable.Range(0, random.Next(1, 6)).Select(i => RandomNode(random, $"n{i}", required: random.Next(3) == 0)).ToArray();
            var placer = PlacerFor(random.Next(2) == 0 ? "bestfit" : "fgd", nodes);
            var placed = new List<(Pod Pod, PlacementResult Result)>();
            for (var step = 0; step < 200; step++)
            {
                if (placed.Count > 0 && random.Next(4) == 0)
                {
                    var (gone, at) = placed[random.Next(placed.Count)];
                    placer.Unreserve(gone, at.NodeIndex, at.GpuMask);
                    placed.RemoveAll(p => p.Pod == gone);
                    continue;
                }

                var pod = RandomPod(random, $"p{step}");
                var result = placer.Place(pod);
                if (!result.Placed)
                {
                    continue;
                }

                placed.Add((pod, result));
                var topology = nodes[result.NodeIndex].Topology;
                if (topology is not null && pod.GpuCount > 0 && (pod.SingleNumaNode || topology.Policy == TopologyPolicy.SingleNumaNode))
                {
                    aligned++;
                    Assert.Single(Indices(result.GpuMask).Select(g => topology.Gpus[g].Numa).Distinct());
                }

                AssertNoGpuTwice(nodes, placed, seed, step);
                AssertNumaWithinCapacity(placer.Cluster, nodes, seed);
            }
        }

        Assert.True(aligned > 100, $"only {aligned} aligned pods: the property says little");
    }

    [Fact]
    public void Place_WithoutSingleNumaPods_FitsExactlyWhereThePlainRuleFits()
    {
        var compared = 0;
        for (var seed = 0; seed < PropertyRuns.Iterations(40); seed++)
        {
            var random = new Random(seed);
            var nodes = Enumerable.Range(0, random.Next(1, 6)).Select(i => RandomNode(random, $"n{i}", required: false)).ToArray();
            var plainNodes = nodes.Select(n => n with { Topology = null }).ToArray();
            var policy = random.Next(2) == 0 ? "bestfit" : "fgd";
            var withTopology = PlacerFor(policy, nodes);
            var plain = PlacerFor(policy, plainNodes);
            var placed = new List<(Pod Pod, int Node, int Mask, int PlainMask)>();
            for (var step = 0; step < 200; step++)
            {
                if (placed.Count > 0 && random.Next(4) == 0)
                {
                    var gone = placed[random.Next(placed.Count)];
                    withTopology.Unreserve(gone.Pod, gone.Node, gone.Mask);
                    plain.Unreserve(gone.Pod, gone.Node, gone.PlainMask);
                    placed.Remove(gone);
                    continue;
                }

                var drawn = RandomPod(random, $"p{step}");
                var pod = drawn with { SingleNumaNode = false, GpuMilli = drawn.GpuCount == 0 ? 0 : Whole };
                var expected = plain.Place(pod);
                var actual = withTopology.Place(pod);
                Assert.Equal(expected.Placed, actual.Placed);
                if (expected.Placed)
                {
                    compared++;
                    Assert.Equal(expected.NodeIndex, actual.NodeIndex);
                    placed.Add((pod, actual.NodeIndex, actual.GpuMask, expected.GpuMask));
                }
            }
        }

        Assert.True(compared > 1000, $"only {compared} placements compared");
    }

    [Fact]
    public void Place_GroupedScan_DecidesAsTheFullScanWithTopologyAndSingleNumaPods()
    {
        var compared = 0;
        for (var seed = 0; seed < PropertyRuns.Iterations(20); seed++)
        {
            var random = new Random(seed);
            var nodes = Enumerable.Range(0, random.Next(2, 12)).Select(i => RandomNode(random, $"n{i:D2}", required: random.Next(3) == 0)).ToArray();
            var target = TargetWorkload.FromPods([Gpus("t", 1)]);
            var full = new Placer(PlacementPolicies.Get("fgd"), new PluginContext(new ClusterState(nodes), target), seed, PlacementScan.Full);
            var grouped = new Placer(PlacementPolicies.Get("fgd"), new PluginContext(new ClusterState(nodes), target), seed, PlacementScan.Grouped);
            Assert.True(grouped.IsGrouped);
            var placed = new List<(Pod Pod, PlacementResult Result)>();
            for (var step = 0; step < 150; step++)
            {
                if (placed.Count > 0 && random.Next(4) == 0)
                {
                    var (gone, at) = placed[random.Next(placed.Count)];
                    full.Unreserve(gone, at.NodeIndex, at.GpuMask);
                    grouped.Unreserve(gone, at.NodeIndex, at.GpuMask);
                    placed.RemoveAll(p => p.Pod == gone);
                    continue;
                }

                var pod = RandomPod(random, $"p{step}");
                var expected = full.Place(pod);
                var actual = grouped.Place(pod);
                Assert.Equal((expected.Placed, expected.NodeIndex, expected.GpuMask), (actual.Placed, actual.NodeIndex, actual.GpuMask));
                if (expected.Placed)
                {
                    compared++;
                    placed.Add((pod, expected));
                }
            }
        }

        Assert.True(compared > 500, $"only {compared} placements compared");
    }

    private static void AssertNoGpuTwice(Node[] nodes, List<(Pod Pod, PlacementResult Result)> placed, int seed, int step)
    {
        var used = new Dictionary<(int, int), int>();
        foreach (var (pod, result) in placed)
        {
            Assert.Equal(pod.GpuCount, System.Numerics.BitOperations.PopCount((uint)result.GpuMask));
            foreach (var g in Indices(result.GpuMask))
            {
                Assert.True(g < nodes[result.NodeIndex].GpuCount, $"seed {seed}: GPU {g} does not exist");
                used[(result.NodeIndex, g)] = used.GetValueOrDefault((result.NodeIndex, g)) + pod.GpuMilli;
            }
        }

        Assert.All(used, kv => Assert.True(kv.Value <= Whole, $"seed {seed} step {step}: GPU {kv.Key} given {kv.Value} milli-GPU"));
    }

    private static void AssertNumaWithinCapacity(ClusterState cluster, Node[] nodes, int seed)
    {
        for (var n = 0; n < nodes.Length; n++)
        {
            if (cluster.TopologyOf(n) is { } topology)
            {
                for (var numa = 0; numa < nodes[n].Topology!.NumaNodes.Count; numa++)
                {
                    Assert.True(topology.UnpinnedCpuOf(numa) >= 0 && topology.UnpinnedMemoryOf(numa) >= 0, $"seed {seed}: NUMA node {numa} of {nodes[n].Name} over-committed");
                }
            }
        }
    }

    private static Node RandomNode(Random random, string name, bool required)
    {
        var gpus = new[] { 4, 8, 8, 16 }[random.Next(4)];
        var numaCount = new[] { 1, 2, 2, 4 }[random.Next(4)];
        var node = Make.Node(name).Cpu(64_000).Memory(512 * 1024).Gpus(gpus).Build();
        if (random.Next(5) == 0)
        {
            return node; // no description: placed as before
        }

        var islandSize = new[] { 2, 4, gpus }[random.Next(3)];
        var islands = Enumerable.Range(0, gpus).Select(g => g / islandSize).ToArray();
        var switches = Enumerable.Range(0, gpus).Select(g => Math.Min(NodeTopology.MaxId, g / 2)).ToArray();
        var numa = Enumerable.Range(0, gpus).Select(g => g * numaCount / gpus).ToArray();
        var numaNodes = Enumerable.Range(0, numaCount).Select(_ => new NumaNode(64_000 / numaCount, 512 * 1024 / numaCount)).ToArray();
        return node with { Topology = NodeTopology.FromLists(gpus, islands, switches, numa, numaNodes, 64_000, 512 * 1024, required ? TopologyPolicy.SingleNumaNode : TopologyPolicy.None) };
    }

    private static Pod RandomPod(Random random, string name)
    {
        var count = new[] { 0, 1, 1, 2, 2, 4, 8 }[random.Next(7)];
        var milli = count == 1 && random.Next(3) == 0 ? random.Next(1, Whole) : Whole;
        return new Pod
        {
            Name = name,
            CpuMilli = random.Next(1, 24) * 1000,
            MemoryMiB = random.Next(1, 128) * 1024,
            GpuCount = count,
            GpuMilli = count == 0 ? 0 : milli,
            SingleNumaNode = random.Next(2) == 0,
        };
    }
}
