namespace Berth.Model.Gpus;

/// <summary>
/// The inside of a node, from its description: where each GPU sits (<see cref="Gpus"/>, in GPU index order) and the
/// NUMA nodes' CPUs and memory. A multi-GPU pod gets GPUs of one NVLink island where one has room (then one PCIe
/// switch, then one NUMA node); under <see cref="TopologyPolicy.SingleNumaNode"/> its GPUs, CPUs and memory must come
/// from one NUMA node. A node without a topology behaves as before it existed.
/// </summary>
public sealed record NodeTopology
{
    /// <summary>One location per GPU of the node, in index order.</summary>
    public required IReadOnlyList<GpuLocation> Gpus { get; init; }

    /// <summary>The NUMA nodes; a GPU's <see cref="GpuLocation.Numa"/> is an index here.</summary>
    public required IReadOnlyList<NumaNode> NumaNodes { get; init; }

    /// <summary>The node's topology-manager policy; a pod may ask for single-NUMA alignment itself too.</summary>
    public TopologyPolicy Policy { get; init; } = TopologyPolicy.None;

    /// <summary>The largest island or switch id accepted: ids index small per-node tables.</summary>
    public const int MaxId = 15;

    /// <summary>The policy names as the kubelet writes them (<c>--topology-manager-policy</c>), in <see cref="TopologyPolicy"/> order.</summary>
    public static IReadOnlyList<string> PolicyNames { get; } = ["none", "best-effort", "single-numa-node"];

    /// <summary>The policy named <paramref name="text"/> (see <see cref="PolicyNames"/>); null when it is none of them.</summary>
    public static TopologyPolicy? ParsePolicy(string text)
    {
        var index = PolicyNames.ToList().IndexOf(text);
        return index < 0 ? null : (TopologyPolicy)index;
    }

    /// <summary>
    /// A topology from per-GPU lists (any may be null): NVLink island, PCIe switch and NUMA node of each GPU in index
    /// order. A missing list puts every GPU in group 0; missing NUMA nodes give one holding the node's CPUs and memory.
    /// Check the result with <see cref="Problem"/>.
    /// </summary>
    public static NodeTopology FromLists(int gpuCount, IReadOnlyList<int>? islands, IReadOnlyList<int>? pcieSwitches, IReadOnlyList<int>? gpuNuma, IReadOnlyList<NumaNode>? numaNodes, long cpuMilli, long memoryMiB, TopologyPolicy policy)
    {
        foreach (var (list, name) in new[] { (islands, "islands"), (pcieSwitches, "pcieSwitches"), (gpuNuma, "gpuNuma") })
        {
            if (list is not null && list.Count != gpuCount)
            {
                throw new ArgumentException($"topology.{name} lists {list.Count} GPUs but the node has {gpuCount}; give one entry per GPU, in index order", name);
            }
        }

        var gpus = new GpuLocation[gpuCount];
        for (var g = 0; g < gpus.Length; g++)
        {
            gpus[g] = new GpuLocation(islands?[g] ?? 0, pcieSwitches?[g] ?? 0, gpuNuma?[g] ?? 0);
        }

        return new NodeTopology
        {
            Gpus = gpus,
            NumaNodes = numaNodes is { Count: > 0 } ? numaNodes : [new NumaNode(cpuMilli, memoryMiB)],
            Policy = policy,
        };
    }

    /// <summary>The first inconsistency with a node of <paramref name="gpuCount"/> GPUs, naming the field and the fix; null when none.</summary>
    public string? Problem(int gpuCount)
    {
        if (Gpus.Count != gpuCount)
        {
            return $"topology.gpus lists {Gpus.Count} GPUs but the node has {gpuCount}; give one entry per GPU, in index order";
        }

        if (NumaNodes.Count is < 1 or > MaxId + 1)
        {
            return $"topology.numaNodes lists {NumaNodes.Count} NUMA nodes; give between 1 and {MaxId + 1}";
        }

        for (var n = 0; n < NumaNodes.Count; n++)
        {
            if (NumaNodes[n].CpuMilli < 0 || NumaNodes[n].MemoryMiB < 0)
            {
                return $"topology.numaNodes[{n}] has negative CPU or memory; give 0 or more";
            }
        }

        for (var g = 0; g < Gpus.Count; g++)
        {
            var gpu = Gpus[g];
            if (gpu.Island is < 0 or > MaxId || gpu.PcieSwitch is < 0 or > MaxId)
            {
                return $"topology.gpus[{g}] has island {gpu.Island} and pcieSwitch {gpu.PcieSwitch}; each must be between 0 and {MaxId}";
            }

            if (gpu.Numa < 0 || gpu.Numa >= NumaNodes.Count)
            {
                return $"topology.gpus[{g}] is on NUMA node {gpu.Numa}, but the node has NUMA nodes 0 to {NumaNodes.Count - 1}; give one of those or add the NUMA node";
            }
        }

        return null;
    }
}
