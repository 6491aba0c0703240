using Berth.Engine.Fragmentation;
using Berth.Engine.Framework;
using Berth.Engine.Plugins.Fgd;

namespace Berth.Engine.Plugins.ScarcityReserve;

/// <summary>
/// Berth's default score: the published integer FGD score, computed on the fragment growth plus the growth of dead
/// GPU, minus a scarcity reserve.
/// <para>
/// Dead GPU. FGD's fragment measures what the next pod is likely unable to use, so a 350 milli-GPU sliver already
/// counts as fragment for most types, and a placement that takes the node's last CPU beside it (leaving it unusable
/// by any pod, for good) adds little to F. Such GPU is lost for the rest of the run, not for one pod: the growth of
/// dead GPU (<see cref="HostingTracker.Dead"/>: idle GPU that no typical type fits, for its share or for the node's
/// CPU, memory or model) is added to FGD's growth before it is quantised,
/// <c>fgdInt = trunc(100 * sigmoid(-(dF + dDead) / 1000))</c>: one milli-GPU made dead weighs as one milli-GPU of
/// fragment more. No weight to tune; a pod that fills GPU no typical type could use earns the same amount back.
/// </para>
/// <para>
/// Scarcity reserve. FGD weighs each typical pod type by how often it arrives, not by how many nodes could still take
/// it, so it will happily spend the last nodes able to host a rare but large type (the 128-core nodes an 8-GPU,
/// 120-core pod needs; the only nodes of a GPU model some pods ask for) on pods that fit anywhere. The reserve charges
/// a placement for every typical type the node could host before and not after:
/// <c>score = fgdInt - Weight * sum_lost p_t * demand_t / capacity_t</c>, where <c>demand_t</c> is the type's
/// GPU demand in milli-GPU and <c>capacity_t</c> the GPUs on nodes that can still host it (memory included).
/// Common types have thousands of host GPUs and cost a fraction of a point; a type down to its last hosts costs
/// several, which decides among nodes FGD ranks alike.
/// </para>
/// GPUs inside the node are chosen as FGD chooses them. The lost-type set and the dead-GPU growth depend only on the
/// node's state and the pod's shape, so they are cached per (shape, node) and invalidated by the node's version.
/// </summary>
internal sealed class FgdReservePlugin : IPreFilterPlugin, IKeyedScorePlugin, IGpuSelector
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
    private readonly List<long[]> _deadGrowth = [];
    private readonly List<int[]> _lostVersion = [];
    private readonly long[] _deadNow;
    private readonly int[] _deadNowVersion;
    private int _shape;

    public FgdReservePlugin(ClusterState cluster, FragmentCalculator calculator)
    {
        _cluster = cluster;
        _fgd = new FgdPlugin(cluster, calculator, quantised: true);
        _hosting = new HostingTracker(cluster, calculator.Workload);
        _deadNow = new long[cluster.NodeCount];
        _deadNowVersion = new int[cluster.NodeCount];
        Array.Fill(_deadNowVersion, int.MinValue);
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
            _deadGrowth.Add(new long[_cluster.NodeCount]);
            _lostVersion.Add(versions);
        }

        return Status.Success;
    }

    public double Score(CycleState state, int node) => ScoreOf(state, Key(state, node));

    /// <summary>The integer FGD score (dead GPU included) and the typical types lost: all of the score that depends on the node.</summary>
    public ScoreKey Key(CycleState state, int node)
    {
        Update(state, node);
        var growth = _fgd.Growth(state.Request, node) + _deadGrowth[_shape][node];

        // trunc(100 * sigmoid(-growth / 1000)) as in the published FGD score; the value is positive, so trunc = floor.
        var fgd = Math.Floor(100.0 / (1.0 + Math.Exp(growth / 1000.0)));
        return new ScoreKey(fgd, _lost[_shape][node]);
    }

    /// <summary>The scarcity cost of the lost types depends on how many GPUs can still host each: the whole cluster.</summary>
    public double ScoreOf(CycleState state, in ScoreKey key) => key.Value - Weight * _hosting.Cost(key.Bits);

    public int SelectGpus(CycleState state, int node) => _fgd.SelectGpus(state, node);

    /// <summary>
    /// Brings the cached effects of this pod's shape on <paramref name="node"/> up to date: the typical types the node
    /// could host before this pod and not after it, and the growth of its dead GPU.
    /// </summary>
    private void Update(CycleState state, int node)
    {
        var version = _cluster.Version[node];
        var versions = _lostVersion[_shape];
        if (versions[node] == version)
        {
            return;
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

        var cpu = _cluster.FreeCpu[node];
        var memory = _cluster.FreeMemory[node];
        var cpuAfter = cpu - request.CpuMilli;
        var memoryAfter = memory - request.MemoryMiB;
        var before = _hosting.HostsOf(node);
        _lost[_shape][node] = before == 0 ? 0 : before & ~_hosting.Hosted(node, after, cpuAfter, memoryAfter);
        if (_deadNowVersion[node] != version)
        {
            _deadNow[node] = _hosting.Dead(node, free, cpu, memory);
            _deadNowVersion[node] = version;
        }

        _deadGrowth[_shape][node] = _hosting.Dead(node, after, cpuAfter, memoryAfter) - _deadNow[node];
        versions[node] = version;
    }
}
