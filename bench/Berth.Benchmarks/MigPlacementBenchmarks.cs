using BenchmarkDotNet.Attributes;
using Berth.Engine.Fragmentation;
using Berth.Engine.Framework;
using Berth.Engine.Policies;
using Berth.Model;
using Berth.Model.Gpus;

namespace Berth.Benchmarks;

/// <summary>
/// Issue 15 point 7d: one placement decision (<see cref="Placer.Evaluate(Pod)"/>, a what-if that changes nothing, so
/// every invocation decides the same) at 5,000 nodes of 8 H100s, about half used. <c>WholeGpu</c>: a 1-GPU pod on
/// exclusive nodes with the default policy (fgd), grouped scan as at this size by default; <c>WholeGpuFullScan</c>:
/// the same with every node scored; <c>Mig</c>: a <c>2g.20gb</c> pod on MIG nodes that may re-partition, their GPUs
/// holding seeded random instances, nodes grouped by their best place as at this size by default; <c>MigFullScan</c>:
/// the same with every MIG node visited (its best place memoised while it is unchanged). Compare as ratios of one run
/// (the machine is shared).
/// </summary>
[Config(typeof(InProcessBenchConfig))]
public class MigPlacementBenchmarks
{
    public const int Nodes = 5_000;

    private Placer _whole = null!;
    private Placer _wholeFull = null!;
    private Placer _mig = null!;
    private Placer _migFull = null!;
    private readonly Pod _wholePod = new() { Name = "whole", CpuMilli = 4_000, MemoryMiB = 32 * 1024, GpuCount = 1, GpuMilli = Limits.GpuMilliPerGpu };
    private readonly Pod _migPod = new() { Name = "mig", CpuMilli = 1_000, MemoryMiB = 8 * 1024, MigProfile = "2g.20gb", MigCount = 1 };

    [GlobalSetup]
    public void Setup()
    {
        var (nodes, held) = Filled(GpuSharing.Exclusive, WholePods());
        _whole = Fresh(nodes, held, PlacementScan.Auto, WholePods());
        _wholeFull = Fresh(nodes, held, PlacementScan.Full, WholePods());
        var (migNodes, migHeld) = Filled(GpuSharing.Mig(MigLayout.Empty, repartition: true), MigPods());
        _mig = Fresh(migNodes, migHeld, PlacementScan.Auto, MigPods());
        _migFull = Fresh(migNodes, migHeld, PlacementScan.Full, MigPods());
        if (!_whole.IsGrouped || _wholeFull.IsGrouped || !_whole.Evaluate(_wholePod).Placed || !_mig.Evaluate(_migPod).Placed)
        {
            throw new InvalidOperationException("benchmark setup: the whole-GPU placers must scan as named and both pods must fit");
        }

        var (grouped, full) = (_mig.Evaluate(_migPod), _migFull.Evaluate(_migPod));
        if (grouped.NodeIndex != full.NodeIndex || grouped.GpuMask != full.GpuMask || grouped.FeasibleNodes != full.FeasibleNodes)
        {
            throw new InvalidOperationException("benchmark setup: the grouped and full MIG scans must decide alike");
        }
    }

    [Benchmark(Baseline = true)]
    public PlacementResult WholeGpu() => _whole.Evaluate(_wholePod);

    [Benchmark]
    public PlacementResult WholeGpuFullScan() => _wholeFull.Evaluate(_wholePod);

    [Benchmark]
    public PlacementResult Mig() => _mig.Evaluate(_migPod);

    [Benchmark]
    public PlacementResult MigFullScan() => _migFull.Evaluate(_migPod);

    private static IEnumerable<Pod> WholePods()
    {
        var random = new Random(42);
        for (var i = 0; i < Nodes * 4; i++)
        {
            yield return new Pod { Name = $"w{i}", CpuMilli = 4_000, MemoryMiB = 32 * 1024, GpuCount = random.Next(1, 3), GpuMilli = Limits.GpuMilliPerGpu };
        }
    }

    private static IEnumerable<Pod> MigPods()
    {
        string[] profiles = ["1g.10gb", "1g.10gb", "2g.20gb", "3g.40gb", "1g.20gb"];
        var random = new Random(42);
        for (var i = 0; i < Nodes * 12; i++)
        {
            yield return new Pod { Name = $"m{i}", CpuMilli = 1_000, MemoryMiB = 8 * 1024, MigProfile = profiles[random.Next(profiles.Length)], MigCount = 1 };
        }
    }

    // 5,000 nodes of 8 H100s, filled by the fgd placer with the pods in order (each placed or skipped), then half of
    // what was placed released again so the nodes are left in varied states: the nodes and what stays held.
    private static (Node[] Nodes, List<(Pod Pod, int Node, int Mask)> Held) Filled(GpuSharing sharing, IEnumerable<Pod> pods)
    {
        var nodes = Enumerable.Range(0, Nodes).Select(n => new Node
        {
            Name = $"node-{n:D5}", CpuMilli = 128_000, MemoryMiB = 1024 * 1024, GpuCount = 8, GpuModel = "H100", Sharing = sharing,
        }).ToArray();
        var cluster = new ClusterState(nodes);
        var placer = NewPlacer(cluster, PlacementScan.Auto, pods);
        var placed = new List<(Pod Pod, int Node, int Mask)>();
        foreach (var pod in pods)
        {
            var result = placer.Place(pod);
            if (result.Placed)
            {
                placed.Add((pod, result.NodeIndex, result.GpuMask));
            }
        }

        var random = new Random(7);
        return (nodes, placed.Where(_ => random.Next(2) == 0).ToList());
    }

    // A cluster holding exactly `held`, and a placer of the given scan made on it (its plugins start from that state).
    private static Placer Fresh(Node[] nodes, List<(Pod Pod, int Node, int Mask)> held, PlacementScan scan, IEnumerable<Pod> pods)
    {
        var cluster = new ClusterState(nodes);
        foreach (var (pod, node, mask) in held)
        {
            cluster.Allocate(node, cluster.Compile(pod), mask);
        }

        return NewPlacer(cluster, scan, pods);
    }

    private static Placer NewPlacer(ClusterState cluster, PlacementScan scan, IEnumerable<Pod> pods) =>
        new(PlacementPolicies.Get(PlacementPolicies.Default), new PluginContext(cluster, TargetWorkload.FromPods(pods.Take(1000).ToArray())), 42, scan);
}
