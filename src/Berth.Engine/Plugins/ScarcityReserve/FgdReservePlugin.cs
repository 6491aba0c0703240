using Berth.Engine.Fragmentation;
using Berth.Engine.Framework;
using Berth.Engine.Plugins.Fgd;

namespace Berth.Engine.Plugins.ScarcityReserve;

/// <summary>
/// Berth's default score: the published integer FGD score minus a scarcity reserve.
/// <para>
/// FGD weighs each typical pod type by how often it arrives, not by how many nodes could still take it, so it
/// will happily spend the last nodes able to host a rare but large type (the 128-core nodes an 8-GPU, 120-core
/// pod needs; the only nodes of a GPU model some pods ask for) on pods that fit anywhere. The reserve charges a
/// placement for every typical type the node could host before and not after:
/// <c>score = fgdInt - Weight * sum_lost p_t * demand_t / capacity_t</c>, where <c>demand_t</c> is the type's
/// GPU demand in milli-GPU and <c>capacity_t</c> the GPUs on nodes that can still host it (memory included).
/// Common types have thousands of host GPUs and cost a fraction of a point; a type down to its last hosts costs
/// several, which decides among nodes FGD ranks alike.
/// </para>
/// GPUs inside the node are chosen as FGD chooses them. The lost-type set depends only on the node's state and
/// the pod's shape, so it is cached per (shape, node) and invalidated by the node's version.
/// </summary>
internal sealed class FgdReservePlugin : IPreFilterPlugin, IScorePlugin, IGpuSelector
{
    public const string PluginName = "FgdReserve";

    /// <summary>
    /// Points of FGD score per unit of scarcity cost. Measured (docs/PERFORMANCE.md §2) over the 13 openb
    /// variants, 20 did best of 5, 10, 15, 20, 50, 200 and 1000; from 50 up the reserve overrides FGD and loses on the common case.
    /// </summary>
    public const double Weight = 20;

    private readonly ClusterState _cluster;
    private readonly FgdPlugin _fgd;
    private readonly HostingTracker _hosting;
    private readonly Dictionary<(long Cpu, long Memory, int Milli, int Count, ulong Mask), int> _shapes = new();
    private readonly List<ulong[]> _lost = [];
    private readonly List<int[]> _lostVersion = [];
    private int _shape;

    public FgdReservePlugin(ClusterState cluster, FragmentCalculator calculator)
    {
        _cluster = cluster;
        _fgd = new FgdPlugin(cluster, calculator, quantised: true);
        _hosting = new HostingTracker(cluster, calculator.Workload);
    }

    public string Name => PluginName;

    public Status PreFilter(CycleState state)
    {
        _fgd.PreFilter(state);
        _hosting.Refresh();
        var r = state.Request;
        var key = (r.CpuMilli, r.MemoryMiB, r.IsCpuOnly ? 0 : r.GpuMilli, r.GpuCount, r.AllowedModelMask);
        if (!_shapes.TryGetValue(key, out _shape))
        {
            _shape = _shapes.Count;
            _shapes[key] = _shape;
            var lost = new ulong[_cluster.NodeCount];
            var versions = new int[_cluster.NodeCount];
            Array.Fill(versions, int.MinValue);
            _lost.Add(lost);
            _lostVersion.Add(versions);
        }

        return Status.Success;
    }

    public double Score(CycleState state, int node) => _fgd.Score(state, node) - Weight * _hosting.Cost(Lost(state, node));

    public int SelectGpus(CycleState state, int node) => _fgd.SelectGpus(state, node);

    /// <summary>The typical types the node could host before this pod and not after it.</summary>
    private ulong Lost(CycleState state, int node)
    {
        var before = _hosting.HostsOf(node);
        if (before == 0)
        {
            return 0;
        }

        var version = _cluster.Version[node];
        var versions = _lostVersion[_shape];
        if (versions[node] == version)
        {
            return _lost[_shape][node];
        }

        var request = state.Request;
        var free = _cluster.GpuFreeOf(node);
        Span<int> after = stackalloc int[free.Length];
        free.CopyTo(after);
        if (!request.IsCpuOnly)
        {
            var mask = _fgd.SelectGpus(state, node);
            for (var g = 0; g < after.Length; g++)
            {
                if ((mask & (1 << g)) != 0)
                {
                    after[g] -= request.GpuMilli;
                }
            }
        }

        var lost = before & ~_hosting.Hosted(node, after, _cluster.FreeCpu[node] - request.CpuMilli, _cluster.FreeMemory[node] - request.MemoryMiB);
        _lost[_shape][node] = lost;
        versions[node] = version;
        return lost;
    }
}
