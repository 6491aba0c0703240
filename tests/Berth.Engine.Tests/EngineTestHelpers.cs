using Berth.Engine.Fragmentation;
using Berth.Engine.Framework;
using Berth.Engine.Policies;
using Berth.Model;

namespace Berth.Engine.Tests;

/// <summary>Small helpers to put a cluster in a known state without going through a policy.</summary>
internal static class EngineTestHelpers
{
    /// <summary>Takes <paramref name="milli"/> of GPU <paramref name="gpu"/> on node <paramref name="node"/> (no CPU, no memory).</summary>
    public static void Occupy(ClusterState cluster, int node, int gpu, int milli) =>
        cluster.Allocate(node, new PodRequest(0, 0, 1, milli, PodRequest.AnyModel, false), 1 << gpu);

    /// <summary>Takes CPU on a node.</summary>
    public static void OccupyCpu(ClusterState cluster, int node, long cpuMilli) =>
        cluster.Allocate(node, new PodRequest(cpuMilli, 0, 0, 0, PodRequest.AnyModel, false), 0);

    /// <summary>A one-type workload with probability 1.</summary>
    public static TargetWorkload Only(long cpu, int milli, int count, params string[] models) =>
        new([new WorkloadType(cpu, milli, count, models, 1.0)]);

    /// <summary>A placer for a policy by name over <paramref name="cluster"/>; FGD policies get <paramref name="target"/> (or one built from <paramref name="typical"/>).</summary>
    public static Placer PlacerFor(string policy, ClusterState cluster, int seed = 1, TargetWorkload? target = null, IEnumerable<Pod>? typical = null)
    {
        target ??= typical is null ? Only(1000, 500, 1) : TargetWorkload.FromPods(typical);
        return new Placer(PlacementPolicies.Get(policy), new PluginContext(cluster, target), seed);
    }

    /// <summary>The per-GPU free amounts of a node, as an array.</summary>
    public static int[] Free(ClusterState cluster, int node) => cluster.GpuFreeOf(node).ToArray();
}
