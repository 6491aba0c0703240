using System.Numerics;
using Berth.Model.Gpus;

namespace Berth.Engine.Framework;

/// <summary>
/// One node's topology compiled for placement (<see cref="NodeTopology"/>): GPU masks per NVLink island, PCIe switch
/// and NUMA node, and the CPUs and memory pinned to each NUMA node by pods aligned to it. Aligned pods take CPUs and
/// memory of their NUMA node; every other pod takes them from the node as a whole (the shared pool). Both checks
/// together (a NUMA node's pinned use within its capacity, and all use within the node's) always leave a way to spread
/// the shared pool over what the NUMA nodes have left, so the per-NUMA figures never need the others' placement.
/// Mutable like <see cref="ClusterState"/>, which owns it and is its one writer.
/// </summary>
public sealed class InNodeTopology
{
    private const int Levels = 3;
    private readonly int[][] _groups;
    private readonly int[] _numaOfGpu;
    private readonly long[] _numaCpu;
    private readonly long[] _numaMemory;
    private readonly long[] _pinnedCpu;
    private readonly long[] _pinnedMemory;
    private readonly bool _policyRequires;

    public InNodeTopology(NodeTopology topology)
    {
        ArgumentNullException.ThrowIfNull(topology);
        var numa = topology.NumaNodes.Count;
        _groups = [new int[NodeTopology.MaxId + 1], new int[NodeTopology.MaxId + 1], new int[numa]];
        _numaOfGpu = new int[topology.Gpus.Count];
        for (var g = 0; g < topology.Gpus.Count; g++)
        {
            var at = topology.Gpus[g];
            _groups[0][at.Island] |= 1 << g;
            _groups[1][at.PcieSwitch] |= 1 << g;
            _groups[2][at.Numa] |= 1 << g;
            _numaOfGpu[g] = at.Numa;
        }

        _numaCpu = topology.NumaNodes.Select(n => n.CpuMilli).ToArray();
        _numaMemory = topology.NumaNodes.Select(n => n.MemoryMiB).ToArray();
        _pinnedCpu = new long[numa];
        _pinnedMemory = new long[numa];
        _policyRequires = topology.Policy == TopologyPolicy.SingleNumaNode;
    }

    /// <summary>CPU (milli-cores) of NUMA node <paramref name="numa"/> not pinned by aligned pods.</summary>
    public long UnpinnedCpuOf(int numa) => _numaCpu[numa] - _pinnedCpu[numa];

    /// <summary>Memory (MiB) of NUMA node <paramref name="numa"/> not pinned by aligned pods.</summary>
    public long UnpinnedMemoryOf(int numa) => _numaMemory[numa] - _pinnedMemory[numa];

    /// <summary>True when <paramref name="request"/> must be aligned here: a GPU pod under single-numa-node (asked by the pod or the node).</summary>
    public bool Requires(in PodRequest request) =>
        (request.SingleNumaNode || _policyRequires) && request.GpuCount > 0 && !request.IsShared;

    /// <summary>
    /// True unless the request must be aligned and no NUMA node has both the room for its CPUs and memory and
    /// <c>GpuCount</c> GPUs with <c>GpuMilli</c> free. Shared-GPU and CPU-only pods are never aligned: they always fit here.
    /// </summary>
    public bool Fits(in PodRequest request, ReadOnlySpan<int> gpuFree)
    {
        if (!Requires(request))
        {
            return true;
        }

        var eligible = Eligible(gpuFree, request.GpuMilli);
        for (var n = 0; n < _numaCpu.Length; n++)
        {
            if (HasRoom(n, request) && BitOperations.PopCount((uint)(eligible & _groups[2][n])) >= request.GpuCount)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The GPUs a pod gets here, given the selector's <paramref name="mask"/>. A multi-GPU pod: the GPUs of the island
    /// with the fewest free GPUs that still holds it, inside it the tightest PCIe switch, then NUMA node (so roomier
    /// groups stay whole for larger pods); when no island holds it, the tightest switch, then NUMA node; else the
    /// selector's GPUs. An aligned pod: the same inside the NUMA node with room whose choice spans the fewest islands
    /// and switches, then has the fewest free GPUs, then the lowest id (for a share, the fullest GPU there that holds
    /// it). Any other pod keeps the selector's GPUs.
    /// </summary>
    public int Choose(in PodRequest request, ReadOnlySpan<int> gpuFree, int mask)
    {
        var eligible = Eligible(gpuFree, request.GpuMilli);
        if (!Requires(request))
        {
            return request.GpuCount < 2 || request.IsShared ? mask : Nest(eligible, request.GpuCount, 0) is var nested and not 0 ? nested : mask;
        }

        if (NumaOf(mask) is var at and >= 0 && HasRoom(at, request) && request.IsSharing)
        {
            return mask;
        }

        var best = 0;
        var bestKey = (Spread: int.MaxValue, Free: int.MaxValue);
        for (var n = 0; n < _numaCpu.Length; n++)
        {
            var inNuma = eligible & _groups[2][n];
            var free = BitOperations.PopCount((uint)inNuma);
            if (!HasRoom(n, request) || free < request.GpuCount)
            {
                continue;
            }

            var chosen = request.IsSharing ? Fullest(gpuFree, inNuma) : Nest(inNuma, request.GpuCount, 0);
            var key = (Spread: 2 * Spans(_groups[0], chosen) + Spans(_groups[1], chosen), Free: free);
            if (key.Spread < bestKey.Spread || (key.Spread == bestKey.Spread && key.Free < bestKey.Free))
            {
                (best, bestKey) = (chosen, key);
            }
        }

        return best == 0 ? mask : best;
    }

    /// <summary>Pins an aligned pod's CPUs and memory to the NUMA node of its GPUs. A GPU set across NUMA nodes (a running pod placed by someone else) pins nothing.</summary>
    public void Pin(in PodRequest request, int mask) => Charge(request, mask, 1);

    /// <summary>Gives back what <see cref="Pin"/> took for the same request and GPUs.</summary>
    public void Unpin(in PodRequest request, int mask) => Charge(request, mask, -1);

    private void Charge(in PodRequest request, int mask, int sign)
    {
        if (!Requires(request) || NumaOf(mask) is not (var n and >= 0))
        {
            return;
        }

        _pinnedCpu[n] += sign * request.CpuMilli;
        _pinnedMemory[n] += sign * request.MemoryMiB;
        if (_pinnedCpu[n] < 0 || _pinnedMemory[n] < 0)
        {
            throw new InvalidOperationException($"release of more CPU or memory than NUMA node {n} has pinned");
        }
    }

    private bool HasRoom(int numa, in PodRequest request) =>
        _numaCpu[numa] - _pinnedCpu[numa] >= request.CpuMilli && _numaMemory[numa] - _pinnedMemory[numa] >= request.MemoryMiB;

    /// <summary>The NUMA node every GPU of <paramref name="mask"/> is on; -1 when the mask is empty or spans several.</summary>
    private int NumaOf(int mask)
    {
        if (mask == 0)
        {
            return -1;
        }

        var n = _numaOfGpu[BitOperations.TrailingZeroCount(mask)];
        return (mask & ~_groups[2][n]) == 0 ? n : -1;
    }

    /// <summary>
    /// <paramref name="count"/> GPUs of <paramref name="set"/>: from level <paramref name="level"/> (island, switch, NUMA)
    /// on, the tightest group at the first level where one holds them, nested; the lowest GPUs when none does; 0 when the
    /// set has too few.
    /// </summary>
    private int Nest(int set, int count, int level)
    {
        for (var l = level; l < Levels; l++)
        {
            var groups = _groups[l];
            var best = -1;
            var bestFree = int.MaxValue;
            for (var id = 0; id < groups.Length; id++)
            {
                var free = BitOperations.PopCount((uint)(set & groups[id]));
                if (free >= count && free < bestFree)
                {
                    (best, bestFree) = (id, free);
                }
            }

            if (best >= 0)
            {
                return Nest(set & groups[best], count, l + 1);
            }
        }

        return Lowest(set, count);
    }

    private static int Lowest(int set, int count)
    {
        if (BitOperations.PopCount((uint)set) < count)
        {
            return 0;
        }

        var chosen = 0;
        for (; count > 0; count--)
        {
            var low = set & -set;
            chosen |= low;
            set &= ~low;
        }

        return chosen;
    }

    /// <summary>The GPU of <paramref name="set"/> with the least free milli-GPU (lowest index on ties), as a mask.</summary>
    private static int Fullest(ReadOnlySpan<int> gpuFree, int set)
    {
        var best = -1;
        for (var g = 0; g < gpuFree.Length; g++)
        {
            if ((set & (1 << g)) != 0 && (best < 0 || gpuFree[g] < gpuFree[best]))
            {
                best = g;
            }
        }

        return best < 0 ? 0 : 1 << best;
    }

    /// <summary>How many groups beyond the first <paramref name="mask"/> touches.</summary>
    private static int Spans(int[] groups, int mask)
    {
        var touched = 0;
        foreach (var group in groups)
        {
            touched += (group & mask) != 0 ? 1 : 0;
        }

        return Math.Max(0, touched - 1);
    }

    private static int Eligible(ReadOnlySpan<int> gpuFree, int milli)
    {
        var eligible = 0;
        for (var g = 0; g < gpuFree.Length; g++)
        {
            if (gpuFree[g] >= milli && gpuFree[g] > 0)
            {
                eligible |= 1 << g;
            }
        }

        return eligible;
    }
}
