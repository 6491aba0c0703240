using Berth.Engine.Fragmentation;
using Berth.Engine.Framework;
using Berth.Model;

namespace Berth.Engine.Plugins.ScarcityReserve;

/// <summary>
/// Which nodes can host one more pod of each typical GPU pod type right now (GPU model, GPU share or whole
/// GPUs, CPU and the type's median memory), and the GPU capacity of those hosts per type. A type whose hosts
/// are few is scarce: taking its last hosts for pods that could go elsewhere makes its pods fail later.
/// Kept up to date from the nodes' versions, so one refresh after each decision touches one node.
/// Not thread-safe.
/// </summary>
internal sealed class HostingTracker
{
    /// <summary>At most this many types are tracked (one bit each): the most popular ones.</summary>
    public const int MaxTypes = 64;

    private readonly ClusterState _cluster;
    private readonly long[] _cpu;
    private readonly long[] _memory;
    private readonly int[] _milli;
    private readonly int[] _count;
    private readonly ulong[] _models;
    private readonly double[] _weight;
    private readonly ulong[] _hosts;
    private readonly int[] _seen;
    private readonly long[] _capacity;
    private long _position = -1; // before any change: the first refresh looks at every node

    public HostingTracker(ClusterState cluster, TargetWorkload workload)
    {
        _cluster = cluster;
        var types = workload.Types.Where(t => t.GpuCount > 0).Take(MaxTypes).ToArray();
        var n = types.Length;
        _cpu = new long[n];
        _memory = new long[n];
        _milli = new int[n];
        _count = new int[n];
        _models = new ulong[n];
        _weight = new double[n];
        for (var t = 0; t < n; t++)
        {
            var type = types[t];
            _cpu[t] = type.CpuMilli;
            _memory[t] = type.MemoryMiB;
            _milli[t] = type.GpuMilli;
            _count[t] = type.GpuCount;
            _weight[t] = type.Probability * type.GpuCount * type.GpuMilli;
            _models[t] = cluster.ModelMask(type.Models);
        }

        _hosts = new ulong[cluster.NodeCount];
        _seen = new int[cluster.NodeCount];
        Array.Fill(_seen, int.MinValue);
        _capacity = new long[n];
    }

    public int TypeCount => _cpu.Length;

    /// <summary>The types node <paramref name="node"/> can host now, one bit per type (as of the last refresh).</summary>
    public ulong HostsOf(int node) => _hosts[node];

    /// <summary>GPUs on the nodes that can host type <paramref name="type"/> now.</summary>
    public long CapacityOf(int type) => _capacity[type];

    /// <summary>Brings every node whose version changed up to date.</summary>
    public void Refresh()
    {
        if (_cluster.TryReadChanges(ref _position, out var changed))
        {
            foreach (var node in changed)
            {
                Refresh(node);
            }

            return;
        }

        for (var node = 0; node < _hosts.Length; node++)
        {
            Refresh(node);
        }
    }

    private void Refresh(int node)
    {
        var version = _cluster.Version;
        if (_seen[node] != version[node])
        {
            var before = _hosts[node];
            var now = Hosted(node, _cluster.GpuFreeOf(node), _cluster.FreeCpu[node], _cluster.FreeMemory[node]);
            var changed = before ^ now;
            var gpus = _cluster.Nodes[node].GpuCount;
            while (changed != 0)
            {
                var t = System.Numerics.BitOperations.TrailingZeroCount(changed);
                changed &= changed - 1;
                _capacity[t] += (now & (1UL << t)) != 0 ? gpus : -gpus;
            }

            _hosts[node] = now;
            _seen[node] = version[node];
        }
    }

    /// <summary>The types a node with these free resources could host one pod of.</summary>
    public ulong Hosted(int node, ReadOnlySpan<int> freeGpu, long freeCpu, long freeMemory)
    {
        var model = _cluster.ModelOf[node];
        if (model < 0)
        {
            return 0;
        }

        var fullyFree = 0;
        var largest = 0;
        foreach (var f in freeGpu)
        {
            if (f >= Limits.GpuMilliPerGpu)
            {
                fullyFree++;
            }

            largest = Math.Max(largest, f);
        }

        ulong bits = 0;
        for (var t = 0; t < _cpu.Length; t++)
        {
            if (freeCpu < _cpu[t] || freeMemory < _memory[t] || (_models[t] & (1UL << model)) == 0)
            {
                continue;
            }

            var fits = _milli[t] >= Limits.GpuMilliPerGpu ? fullyFree >= _count[t] : largest >= _milli[t];
            if (fits)
            {
                bits |= 1UL << t;
            }
        }

        return bits;
    }

    /// <summary>
    /// The idle GPU (milli-GPU) of a node with these free resources that no tracked type can use there: a GPU's free
    /// share is dead when no type that fits the node's free CPU, memory and model could take it (a sharing type asking
    /// no more than that share, or a whole-GPU type, on a fully free GPU, whose GPU count the fully free GPUs cover).
    /// Without departures resources only shrink, so dead GPU stays dead: it is waste for the rest of the run.
    /// </summary>
    public long Dead(int node, ReadOnlySpan<int> freeGpu, long freeCpu, long freeMemory)
    {
        var model = _cluster.ModelOf[node];
        long idle = 0;
        var fullyFree = 0;
        foreach (var f in freeGpu)
        {
            idle += f;
            if (f >= Limits.GpuMilliPerGpu)
            {
                fullyFree++;
            }
        }

        if (model < 0 || idle == 0)
        {
            return idle;
        }

        var minShare = int.MaxValue;
        var wholeOk = false;
        for (var t = 0; t < _cpu.Length; t++)
        {
            if (freeCpu < _cpu[t] || freeMemory < _memory[t] || (_models[t] & (1UL << model)) == 0)
            {
                continue;
            }

            if (_milli[t] >= Limits.GpuMilliPerGpu)
            {
                wholeOk |= fullyFree >= _count[t];
            }
            else
            {
                minShare = Math.Min(minShare, _milli[t]);
            }
        }

        long dead = 0;
        foreach (var f in freeGpu)
        {
            if (f > 0 && f < minShare && !(wholeOk && f >= Limits.GpuMilliPerGpu))
            {
                dead += f;
            }
        }

        return dead;
    }

    /// <summary>
    /// The scarcity cost of losing the types in <paramref name="lost"/>: <c>sum_t p_t * demand_t / capacity_t</c>,
    /// a type's share of the expected GPU demand over the GPUs that can still host it.
    /// </summary>
    public double Cost(ulong lost)
    {
        var cost = 0.0;
        while (lost != 0)
        {
            var t = System.Numerics.BitOperations.TrailingZeroCount(lost);
            lost &= lost - 1;
            cost += _weight[t] / Math.Max(1, _capacity[t]);
        }

        return cost;
    }
}
