using Berth.Model;
using Berth.Model.Queueing;

namespace Berth.Engine.Admission;

/// <summary>
/// Which nodes each flavor has, which flavors each node and each queue has (in the queue's order), and the GPU
/// each flavor has in total and free now. Worked out once from the nodes and the configuration; the free GPU
/// follows every placement and release (a node may belong to several flavors).
/// </summary>
internal sealed class FlavorLayout
{
    private readonly int[][] _ofNode;

    public FlavorLayout(IReadOnlyList<Node> nodes, Flavor[] flavors, Queue[] queues)
    {
        Nodes = flavors.Select(f => Enumerable.Range(0, nodes.Count).Where(n => f.Matches(nodes[n])).ToArray()).ToArray();
        _ofNode = Enumerable.Range(0, nodes.Count).Select(n => Enumerable.Range(0, flavors.Length).Where(f => flavors[f].Matches(nodes[n])).ToArray()).ToArray();
        CapacityGpu = Nodes.Select(list => list.Sum(n => (long)nodes[n].GpuCount * Limits.GpuMilliPerGpu)).ToArray();
        FreeGpu = (long[])CapacityGpu.Clone();
        var flavorIndex = flavors.Select((f, i) => (f.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);
        OfQueue = queues.Select(q => q.Flavors.Select(f => flavorIndex[f.Flavor]).ToArray()).ToArray();
    }

    /// <summary>Per flavor, its nodes in index order.</summary>
    public int[][] Nodes { get; }

    /// <summary>Per queue, its flavors in the queue's order.</summary>
    public int[][] OfQueue { get; }

    /// <summary>Per flavor, the GPU milli of all its nodes.</summary>
    public long[] CapacityGpu { get; }

    /// <summary>Per flavor, the GPU milli free now.</summary>
    public long[] FreeGpu { get; }

    /// <summary><paramref name="gpuMilli"/> was placed on <paramref name="node"/>.</summary>
    public void Take(int node, long gpuMilli)
    {
        foreach (var f in _ofNode[node])
        {
            FreeGpu[f] -= gpuMilli;
        }
    }

    /// <summary><paramref name="gpuMilli"/> was released on <paramref name="node"/>.</summary>
    public void Give(int node, long gpuMilli)
    {
        foreach (var f in _ofNode[node])
        {
            FreeGpu[f] += gpuMilli;
        }
    }
}
