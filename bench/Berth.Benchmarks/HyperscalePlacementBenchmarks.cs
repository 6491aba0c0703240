using BenchmarkDotNet.Attributes;
using Berth.Engine.Fragmentation;
using Berth.Engine.Framework;
using Berth.Engine.Policies;
using Berth.Model;

namespace Berth.Benchmarks;

/// <summary>
/// The <c>fgd</c> decision of <see cref="DecisionBenchmark"/> on 100,000 nodes, the full scan against the grouped scan
/// in one run. The cluster is a generated 10,000-node cluster (<c>WorkloadGenerator</c>, seed 1: five GPU models, 1 to 8
/// GPUs per node) filled to ~70% arrived GPU demand by the fgd placer (inflation sequence seed 42), copied ten times
/// with every placement: the copies have the same mix of free shapes (idle, partly used, shared GPUs) as the original.
/// </summary>
[Config(typeof(InProcessBenchConfig))]
public class HyperscalePlacementBenchmarks : DecisionBenchmark
{
    public const int Copies = 10;

    [Params(PlacementScan.Full, PlacementScan.Grouped)]
    public PlacementScan Scan { get; set; } = PlacementScan.Grouped;

    [GlobalSetup]
    public void Setup()
    {
        var mid = Tiled(Copies, Scan);
        Init(mid, $"generated 10,000 nodes x {Copies} = {mid.Placer.Cluster.NodeCount} nodes, fgd, scan {Scan} (grouped: {mid.Placer.IsGrouped})");
        WarmEveryPod();
    }

    /// <summary>The filled 10,000-node cluster copied <paramref name="copies"/> times, with a fresh placer of the given scan on it.</summary>
    public static MidRun Tiled(int copies, PlacementScan scan)
    {
        var tile = BenchData.Fill(BenchData.Generated(10_000), "fgd", 42, 70);
        var tileNodes = tile.Input.Nodes;
        var nodes = new List<Node>(tileNodes.Count * copies);
        for (var c = 0; c < copies; c++)
        {
            nodes.AddRange(tileNodes.Select(n => n with { Name = $"{n.Name}-{c}" }));
        }

        var cluster = new ClusterState(nodes);
        var placed = new List<(Pod Pod, int Node, int Mask)>();
        for (var c = 0; c < copies; c++)
        {
            foreach (var (pod, node, mask) in tile.Placed)
            {
                cluster.Allocate(node + c * tileNodes.Count, cluster.Compile(pod), mask);
                placed.Add((pod, node + c * tileNodes.Count, mask));
            }
        }

        var target = TargetWorkload.FromPods(tile.Input.PodSpecs, 0.95);
        var placer = new Placer(PlacementPolicies.Get("fgd"), new PluginContext(cluster, target), 42, scan);
        return new MidRun(tile.Input, placer, tile.Sequence, tile.Next, tile.ArrivedMilli * copies, placed);
    }
}
