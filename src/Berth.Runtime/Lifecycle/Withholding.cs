using System.Numerics;
using Berth.Engine.Admission;
using Berth.Model;
using Berth.Runtime.View;

namespace Berth.Runtime.Lifecycle;

/// <summary>
/// Capacity no queue is charged for, computed in one place: unhealthy GPUs, pods Berth does not account for, and
/// what is still free on nodes that take nothing new.
/// </summary>
public static class Withholding
{
    /// <summary>The stand-in pod that holds a node's unhealthy GPUs (null when all are healthy).</summary>
    public static HeldCapacity? UnhealthyGpus(ViewNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (node.UnhealthyGpuMask == 0)
        {
            return null;
        }

        var count = BitOperations.PopCount((uint)node.UnhealthyGpuMask);
        return new HeldCapacity($"{node.Name}/unhealthy-gpus", node.Name, new Pod { Name = "unhealthy-gpus", GpuCount = count, GpuMilli = Limits.GpuMilliPerGpu }, node.UnhealthyGpuMask, Leaving: false);
    }

    /// <summary>
    /// What the view withholds for the whole of a what-if run: each node's unhealthy GPUs (node order), then the
    /// held pods (node, then key order).
    /// </summary>
    public static IReadOnlyList<HeldCapacity> Listed(ClusterView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var list = new List<HeldCapacity>();
        var nodes = view.Nodes.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var node in view.Nodes.OrderBy(n => n.Name, StringComparer.Ordinal))
        {
            if (UnhealthyGpus(node) is { } held)
            {
                list.Add(held);
            }
        }

        list.AddRange(view.Held.Where(h => nodes.Contains(h.Node)).OrderBy(h => h.Node, StringComparer.Ordinal).ThenBy(h => h.Key, StringComparer.Ordinal));
        return list;
    }

    /// <summary>Withholds everything still free on node <paramref name="name"/> (CPU, memory, each GPU's free share); returns the milli-GPU withheld.</summary>
    public static long WithholdFree(AdmissionScheduler engine, string name)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var n = engine.NodeIndexOf(name);
        var cluster = engine.Cluster;
        engine.Withhold(name, new Pod { Name = "unusable-node", CpuMilli = cluster.FreeCpuOf(n), MemoryMiB = cluster.FreeMemoryOf(n) });
        long withheld = 0;
        foreach (var group in cluster.GpuFreeOf(n).ToArray().Select((free, g) => (free, g)).Where(x => x.free > 0).GroupBy(x => x.free))
        {
            var mask = group.Aggregate(0, (m, x) => m | (1 << x.g));
            if (engine.Withhold(name, new Pod { Name = "unusable-node", GpuCount = group.Count(), GpuMilli = group.Key }, mask))
            {
                withheld += (long)group.Key * group.Count();
            }
        }

        return withheld;
    }
}
