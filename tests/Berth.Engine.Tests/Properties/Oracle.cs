using Berth.Engine.Framework;
using Berth.Model;

namespace Berth.Engine.Tests.Properties;

/// <summary>A brute-force statement of the placement constraints, written from placement.md, independent of the plugins.</summary>
internal static class Oracle
{
    /// <summary>True when <paramref name="pod"/> may go on node <paramref name="index"/> in the given free state.</summary>
    public static bool CanHost(Node node, long freeCpu, long freeMemory, ReadOnlySpan<int> gpuFree, Pod pod)
    {
        if (pod.CpuMilli > freeCpu || pod.MemoryMiB > freeMemory)
        {
            return false;
        }

        foreach (var (key, value) in pod.NodeSelector)
        {
            if (!node.Labels.TryGetValue(key, out var actual) || actual != value)
            {
                return false;
            }
        }

        foreach (var taint in node.Taints)
        {
            if (taint.Effect != TaintEffect.PreferNoSchedule && !pod.Tolerations.Any(t => t.Tolerates(taint)))
            {
                return false;
            }
        }

        if (pod.GpuCount == 0)
        {
            return true;
        }

        if (node.GpuCount == 0 || (pod.AllowedGpuModels.Count > 0 && !pod.AllowedGpuModels.Contains(node.GpuModel!)))
        {
            return false;
        }

        var fitting = 0;
        foreach (var free in gpuFree)
        {
            if (free >= pod.GpuMilli)
            {
                fitting++;
            }
        }

        return fitting >= pod.GpuCount;
    }

    public static bool CanHost(Snapshot s, IReadOnlyList<Node> nodes, int index, Pod pod) =>
        CanHost(nodes[index], s.FreeCpu[index], s.FreeMemory[index], s.GpuFreeOf(index), pod);

    /// <summary>Everything observable about a cluster's allocation, for before/after comparisons.</summary>
    internal sealed record Snapshot(long[] FreeCpu, long[] FreeMemory, int[] GpuFree, int[] GpuStart, long Allocated, int[] FreeGpuMilli, int[] FullyFree, int[] MaxFree)
    {
        public static Snapshot Of(ClusterState c) => new(
            c.FreeCpu.ToArray(), c.FreeMemory.ToArray(), c.GpuFree.ToArray(), c.GpuStart.ToArray(), c.AllocatedGpuMilli,
            c.FreeGpuMilli.ToArray(), c.FullyFreeGpus.ToArray(), c.MaxGpuFree.ToArray());

        public ReadOnlySpan<int> GpuFreeOf(int node) => GpuFree.AsSpan(GpuStart[node], GpuStart[node + 1] - GpuStart[node]);

        public bool SameAs(Snapshot o) =>
            FreeCpu.SequenceEqual(o.FreeCpu) && FreeMemory.SequenceEqual(o.FreeMemory) && GpuFree.SequenceEqual(o.GpuFree)
            && Allocated == o.Allocated && FreeGpuMilli.SequenceEqual(o.FreeGpuMilli) && FullyFree.SequenceEqual(o.FullyFree) && MaxFree.SequenceEqual(o.MaxFree);
    }
}
