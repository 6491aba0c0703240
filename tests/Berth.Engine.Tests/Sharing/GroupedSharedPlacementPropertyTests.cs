using Berth.Engine.Fragmentation;
using Berth.Engine.Framework;
using Berth.Engine.Mig;
using Berth.Engine.Policies;
using Berth.Model;
using Berth.Model.Gpus;
using Berth.TestKit;
using CsCheck;
using static Berth.Engine.Tests.EngineTestHelpers;

namespace Berth.Engine.Tests.Sharing;

/// <summary>
/// For pods asking for MIG instances or time-sliced/MPS replicas, the grouped scan (nodes grouped by their best place,
/// <see cref="PlacementScan.Grouped"/>) decides exactly as the scan of every node: the same node, the same instances
/// or GPU, the same re-partitions, feasible count and reason, over random clusters of alike shared nodes (MIG static and
/// re-partitioning, time-sliced, MPS, exclusive; labels and taints) and random histories of placements, what-ifs,
/// placements among a subset of nodes, and releases.
/// </summary>
public sealed class GroupedSharedPlacementPropertyTests
{
    private static readonly string[] Models = ["A100", "H100"];

    [Theory]
    [InlineData("fgd")]
    [InlineData("fgd-fine")]
    [InlineData("random")]
    public void Grouped_RandomHistories_DecidesAsTheFullScan(string policy)
    {
        long shared = 0;
        Gen.Int[0, int.MaxValue].Sample(seed => Interlocked.Add(ref shared, Replay(policy, seed, 300, 0)), iter: PropertyRuns.Iterations(60));
        Assert.True(shared > 0, "no shared-GPU pod was placed: the comparison says nothing");
    }

    [Fact]
    public void Grouped_HistoriesLongerThanTheChangeLog_DecidesAsTheFullScan()
    {
        // More than 1,024 changes: the change log wraps and the groups are rebuilt from every node.
        long shared = 0;
        Gen.Int[0, int.MaxValue].Sample(seed => Interlocked.Add(ref shared, Replay("fgd", seed, 3_000, 0)), iter: 3);
        Assert.True(shared > 0, "no shared-GPU pod was placed: the comparison says nothing");
    }

    [Fact]
    public void Grouped_OneIndexForManyPodClasses_DecidesAsTheFullScan()
    {
        long shared = 0;
        Gen.Int[0, int.MaxValue].Sample(seed => Interlocked.Add(ref shared, Replay("fgd", seed, 300, 1)), iter: PropertyRuns.Iterations(30));
        Assert.True(shared > 0, "no shared-GPU pod was placed: the comparison says nothing");
    }

    // Returns how many shared-GPU pods were placed (on every node or a subset).
    private static int Replay(string policy, int seed, int steps, int maxIndexes)
    {
        var random = new Random(seed);
        var nodes = Enumerable.Range(0, random.Next(1, 40)).Select(i => RandomNode(random, $"n{i:D2}")).ToArray();
        var pods = Enumerable.Range(0, 12).Select(i => RandomPod(random, $"p{i}")).ToArray();
        var target = TargetWorkload.FromPods(pods);
        var full = new Placer(PlacementPolicies.Get(policy), new PluginContext(new ClusterState(nodes), target), seed, PlacementScan.Full);
        var grouped = new Placer(PlacementPolicies.Get(policy), new PluginContext(new ClusterState(nodes), target), seed, PlacementScan.Grouped);
        if (maxIndexes > 0)
        {
            grouped.MaxGroupIndexes = maxIndexes;
        }

        var subset = Enumerable.Range(0, nodes.Length).Where(n => n % 2 == 0).ToArray();
        var placed = new List<(Pod Pod, int Node, int Mask)>();
        var sharedPlaced = 0;
        for (var step = 0; step < steps; step++)
        {
            var pod = pods[random.Next(pods.Length)];
            var op = random.Next(10);
            if (op < 5 || (op >= 8 && placed.Count == 0))
            {
                var expected = full.Place(pod);
                Same(expected, grouped.Place(pod), seed, step);
                if (expected.Placed)
                {
                    placed.Add((pod, expected.NodeIndex, expected.GpuMask));
                    sharedPlaced += pod.MigCount > 0 || pod.SharedGpuReplicas > 0 ? 1 : 0;
                }
            }
            else if (op < 7)
            {
                Same(full.Evaluate(pod), grouped.Evaluate(pod), seed, step);
            }
            else if (op < 8)
            {
                var expected = full.Place(pod, subset);
                Same(expected, grouped.Place(pod, subset), seed, step);
                if (expected.Placed)
                {
                    placed.Add((pod, expected.NodeIndex, expected.GpuMask));
                    sharedPlaced += pod.MigCount > 0 || pod.SharedGpuReplicas > 0 ? 1 : 0;
                }
            }
            else
            {
                var leaving = placed[random.Next(placed.Count)];
                placed.Remove(leaving);
                full.Unreserve(leaving.Pod, leaving.Node, leaving.Mask);
                grouped.Unreserve(leaving.Pod, leaving.Node, leaving.Mask);
            }
        }

        return sharedPlaced;
    }

    private static void Same(PlacementResult expected, PlacementResult actual, int seed, int step)
    {
        var at = $"seed {seed} step {step} ({expected.Pod.Name})";
        Assert.True(expected.Placed == actual.Placed, $"{at}: placed {expected.Placed} in full, {actual.Placed} grouped");
        Assert.True(expected.NodeIndex == actual.NodeIndex, $"{at}: node {expected.NodeIndex} in full, {actual.NodeIndex} grouped");
        Assert.True(expected.GpuMask == actual.GpuMask, $"{at}: mask {expected.GpuMask:x} in full, {actual.GpuMask:x} grouped");
        Assert.True(expected.MigRepartitions == actual.MigRepartitions, $"{at}: re-partitions {expected.MigRepartitions} in full, {actual.MigRepartitions} grouped");
        Assert.True(expected.FeasibleNodes == actual.FeasibleNodes, $"{at}: feasible {expected.FeasibleNodes} in full, {actual.FeasibleNodes} grouped");
        Assert.Equal(expected.Reason, actual.Reason);
    }

    // Few shapes, so that many nodes are alike and the groups have several members.
    private static Node RandomNode(Random random, string name)
    {
        var model = Models[random.Next(Models.Length)];
        var builder = Make.Node(name).Gpus(random.Next(1, 3) * 2, model).Cpu(random.Next(1, 3) * 8_000);
        if (random.Next(4) == 0)
        {
            builder = builder.Label("pool", "a");
        }

        if (random.Next(5) == 0)
        {
            builder = builder.Taint("dedicated");
        }

        return random.Next(5) switch
        {
            0 => builder.Build(),
            1 => builder.Sharing(GpuSharing.TimeSliced(4)).Build(),
            2 => builder.Sharing(GpuSharing.Mps(4, pinnedMemoryMiB: random.Next(2) * 20_000)).Build(),
            3 => builder.Sharing(GpuSharing.Mig(StaticLayout(random, model), repartition: false)).Build(),
            _ => builder.Sharing(GpuSharing.Mig(MigLayout.Empty, repartition: true)).Build(),
        };
    }

    // One of a few layouts, the same on every GPU of the node.
    private static MigLayout StaticLayout(Random random, string model)
    {
        MigGeometries.TryGet(model, out var geometry);
        var packer = new MigPacker(new MigFragmentMeasure(geometry));
        var layout = MigLayout.Empty;
        foreach (var profile in random.Next(3) switch { 0 => ["3g.40gb", "3g.40gb"], 1 => ["2g.20gb", "2g.20gb", "2g.20gb", "1g.10gb"], _ => new[] { "1g.10gb", "1g.10gb", "1g.10gb", "2g.20gb" } })
        {
            if (packer.Choose([layout], profile) is { } placement)
            {
                layout = new MigLayout([.. layout.Instances, new MigInstance(profile, placement.Start)]);
            }
        }

        return layout;
    }

    private static Pod RandomPod(Random random, string name)
    {
        var builder = Make.Pod(name).Cpu(random.Next(0, 4) * 1_000);
        if (random.Next(4) == 0)
        {
            builder = builder.Selector("pool", "a");
        }

        if (random.Next(4) == 0)
        {
            builder = builder.Tolerate("dedicated");
        }

        switch (random.Next(4))
        {
            case 0:
            case 1:
                string[] profiles = ["1g.10gb", "2g.20gb", "3g.40gb", "1g.20gb"];
                return builder.Mig(profiles[random.Next(profiles.Length)], random.Next(1, 3)).Build();
            case 2:
                return builder.Replicas(random.Next(1, 3), random.Next(2) * 20_000).Build();
            default:
                return builder.Gpus(1).Build();
        }
    }
}
