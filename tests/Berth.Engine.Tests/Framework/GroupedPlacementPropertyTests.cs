using Berth.Engine.Fragmentation;
using Berth.Engine.Framework;
using Berth.Engine.Policies;
using Berth.Engine.Tests.Properties;
using Berth.Model;
using CsCheck;

namespace Berth.Engine.Tests.Framework;

/// <summary>
/// The grouped scan (<see cref="PlacementScan.Grouped"/>) decides exactly as the full scan: the same node, the same
/// GPUs, the same feasible count and the same reason when nothing fits, over random clusters and long streams of
/// placements, what-ifs, placements among a subset of nodes, and departures.
/// </summary>
public sealed class GroupedPlacementPropertyTests
{
    /// <summary>Policies whose scores can be keyed: the grouped scan must be in use for them.</summary>
    public static TheoryData<string> GroupedPolicies => new("fgd", "fgd-peer");

    private static readonly Gen<(Scenario Scenario, int[] Ops)> Streams =
        Gen.Select(Scenario.Any, Gen.Int[0, 999].Array[20, 400], (s, ops) => (Scenario: s, Ops: ops));

    [Theory]
    [MemberData(nameof(GroupedPolicies))]
    public void Grouped_RandomStreams_DecidesAsTheFullScan(string policy)
    {
        Streams.Sample(t => Replay(policy, t.Scenario, t.Ops), iter: 100, print: t => $"{t.Scenario}\nops: {string.Join(',', t.Ops)}");
    }

    [Theory]
    [MemberData(nameof(GroupedPolicies))]
    public void Grouped_StreamsLongerThanTheChangeLog_DecidesAsTheFullScan(string policy)
    {
        // More than 1,024 changes: the change log wraps and the groups are rebuilt from every node.
        var longStreams = Gen.Select(Scenario.Any, Gen.Int[0, 999].Array[3_000, 4_000], (s, ops) => (Scenario: s, Ops: ops));
        longStreams.Sample(t => Replay(policy, t.Scenario, t.Ops), iter: 3, print: t => $"{t.Scenario}\nops: {string.Join(',', t.Ops)}");
    }

    [Theory]
    [MemberData(nameof(GroupedPolicies))]
    public void Grouped_OneIndexForManyPodClasses_DecidesAsTheFullScan(string policy)
    {
        // Every pod class but the last drops its index: each decision of another class rebuilds one from every node.
        Streams.Sample(t => Replay(policy, t.Scenario, t.Ops, maxIndexes: 1), iter: 50, print: t => $"{t.Scenario}\nops: {string.Join(',', t.Ops)}");
    }

    [Fact]
    public void Auto_SmallCluster_ScansEveryNode()
    {
        var nodes = Enumerable.Range(0, 10).Select(i => Berth.TestKit.Make.Node($"n{i}").Gpus(8, "A100").Build()).ToArray();
        var cluster = new ClusterState(nodes);
        var context = new PluginContext(cluster, EngineTestHelpers.Only(1000, 500, 1));
        Assert.False(new Placer(PlacementPolicies.Get("fgd"), context, 1).IsGrouped);
        Assert.True(new Placer(PlacementPolicies.Get("fgd"), context, 1, PlacementScan.Grouped).IsGrouped);
        Assert.False(new Placer(PlacementPolicies.Get("random"), context, 1, PlacementScan.Grouped).IsGrouped);
        Assert.False(new Placer(PlacementPolicies.Get("fgd-fine"), context, 1, PlacementScan.Grouped).IsGrouped);
    }

    private static void Replay(string policy, Scenario s, int[] ops, int maxIndexes = 0)
    {
        var target = TargetWorkload.FromPods(s.Pods);
        var fullCluster = new ClusterState(s.Nodes);
        var groupedCluster = new ClusterState(s.Nodes);
        var full = new Placer(PlacementPolicies.Get(policy), new PluginContext(fullCluster, target), s.Seed, PlacementScan.Full);
        var grouped = new Placer(PlacementPolicies.Get(policy), new PluginContext(groupedCluster, target), s.Seed, PlacementScan.Grouped);
        Assert.True(grouped.IsGrouped);
        if (maxIndexes > 0)
        {
            grouped.MaxGroupIndexes = maxIndexes;
        }

        Assert.False(full.IsGrouped);
        var placed = new List<(Pod Pod, int Node, int Mask)>();
        var subset = Enumerable.Range(0, s.Nodes.Length).Where(n => n % 2 == 0).ToArray();
        var step = 0;
        foreach (var op in ops)
        {
            step++;
            var pod = s.Pods[op % s.Pods.Length];
            if (op < 500 || (op >= 800 && placed.Count == 0))
            {
                var expected = full.Place(pod);
                var actual = grouped.Place(pod);
                Same(expected, actual, step);
                if (expected.Placed)
                {
                    placed.Add((pod, expected.NodeIndex, expected.GpuMask));
                }
            }
            else if (op < 700)
            {
                Same(full.Evaluate(pod), grouped.Evaluate(pod), step);
            }
            else if (op < 800)
            {
                // A subset of the nodes: the grouped placer scans them in full, and must stay in step afterwards.
                var expected = full.Place(pod, subset);
                var actual = grouped.Place(pod, subset);
                Same(expected, actual, step);
                if (expected.Placed)
                {
                    placed.Add((pod, expected.NodeIndex, expected.GpuMask));
                }
            }
            else
            {
                var leaving = placed[op % placed.Count];
                placed.Remove(leaving);
                full.Unreserve(leaving.Pod, leaving.Node, leaving.Mask);
                grouped.Unreserve(leaving.Pod, leaving.Node, leaving.Mask);
            }
        }
    }

    private static void Same(PlacementResult expected, PlacementResult actual, int step)
    {
        Assert.True(expected.Placed == actual.Placed, $"step {step}: placed {expected.Placed} in full, {actual.Placed} grouped");
        Assert.True(expected.NodeIndex == actual.NodeIndex, $"step {step}: node {expected.NodeIndex} in full, {actual.NodeIndex} grouped");
        Assert.Equal(expected.GpuMask, actual.GpuMask);
        Assert.Equal(expected.FeasibleNodes, actual.FeasibleNodes);
        Assert.Equal(expected.Reason, actual.Reason);
    }
}
