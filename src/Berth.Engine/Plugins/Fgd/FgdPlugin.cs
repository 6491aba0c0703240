using Berth.Engine.Fragmentation;
using Berth.Engine.Framework;
using Berth.Model;

namespace Berth.Engine.Plugins.Fgd;

/// <summary>
/// Fragmentation gradient descent (Weng et al., ATC '23): place the pod where the node's expected
/// fragment <c>F</c> grows least. For a sharing pod every GPU that fits is tried and the one giving the
/// lowest <c>F</c> after is kept (lowest index on ties); whole-GPU pods take the lowest-index free GPUs;
/// CPU-only pods change only free CPU.
/// <para>
/// Continuous form (<c>fgd</c>): score = <c>before - after</c> in milli-GPU. Quantised form (<c>fgd-peer</c>):
/// <c>trunc(100 * sigmoid((before - after) / 1000))</c>, the published simulator's integer score.
/// </para>
/// The growth of F on a node depends only on the node's state and the pod's type, and one decision
/// changes one node, so growths are cached per (pod type, node) and invalidated by the node's version.
/// </summary>
internal sealed class FgdPlugin : IPreFilterPlugin, IKeyedScorePlugin, IGpuSelector
{
    public const string ContinuousName = "Fgd";
    public const string QuantisedName = "FgdQuantised";

    private readonly ClusterState _cluster;
    private readonly FragmentCalculator _calculator;
    private readonly bool _quantised;
    private readonly Dictionary<(long Cpu, int Milli, int Count, ulong Mask), int> _typeIds = new();
    private readonly List<double[]> _delta = [];
    private readonly List<int[]> _deltaVersion = [];
    private readonly double[] _before;
    private readonly int[] _beforeVersion;
    private int _type;

    public FgdPlugin(ClusterState cluster, FragmentCalculator calculator, bool quantised)
    {
        _cluster = cluster;
        _calculator = calculator;
        _quantised = quantised;
        _before = new double[cluster.NodeCount];
        _beforeVersion = new int[cluster.NodeCount];
    }

    public string Name => _quantised ? QuantisedName : ContinuousName;

    public Status PreFilter(CycleState state)
    {
        var r = state.Request;
        var key = (r.CpuMilli, r.IsCpuOnly ? 0 : r.GpuMilli, r.GpuCount, r.AllowedModelMask);
        if (!_typeIds.TryGetValue(key, out _type))
        {
            _type = _typeIds.Count;
            _typeIds[key] = _type;
            _delta.Add(new double[_cluster.NodeCount]);
            _deltaVersion.Add(new int[_cluster.NodeCount]);
        }

        return Status.Success;
    }

    public double Score(CycleState state, int node)
    {
        var delta = Growth(state.Request, node);
        if (!_quantised)
        {
            return -delta;
        }

        // trunc(100 * sigmoid((before - after) / 1000)); the value is positive, so trunc = floor.
        return Math.Floor(100.0 / (1.0 + Math.Exp(delta / 1000.0)));
    }

    /// <summary>The whole score depends on the node alone.</summary>
    public ScoreKey Key(CycleState state, int node) => new(Score(state, node), 0);

    public double ScoreOf(CycleState state, in ScoreKey key) => key.Value;

    public int SelectGpus(CycleState state, int node)
    {
        var request = state.Request;
        if (request.IsCpuOnly)
        {
            return 0;
        }

        var free = _cluster.GpuFreeOf(node);
        if (request.GpuMilli >= Limits.GpuMilliPerGpu)
        {
            return TightestFit.TightestFitGpuSelector.LowestFullyFree(free, request.GpuCount);
        }

        BestSharingGpu(request, node, out var gpu);
        return gpu < 0 ? 0 : 1 << gpu;
    }

    /// <summary>Growth of F on <paramref name="node"/> if the pod went there (after - before), cached.</summary>
    internal double Growth(in PodRequest request, int node)
    {
        var version = _cluster.Version[node];
        var versions = _deltaVersion[_type];
        if (versions[node] == version)
        {
            return _delta[_type][node];
        }

        var growth = ComputeGrowth(request, node);
        _delta[_type][node] = growth;
        versions[node] = version;
        return growth;
    }

    private double Before(int node)
    {
        var version = _cluster.Version[node];
        if (_beforeVersion[node] != version)
        {
            _before[node] = _calculator.NodeFragment(_cluster.ModelOf[node], _cluster.GpuFreeOf(node), _cluster.FreeCpu[node]);
            _beforeVersion[node] = version;
        }

        return _before[node];
    }

    private double ComputeGrowth(in PodRequest request, int node)
    {
        var before = Before(node);
        if (request.IsCpuOnly)
        {
            var freeGpu = _cluster.GpuFreeOf(node);
            Span<int> copy = stackalloc int[freeGpu.Length];
            freeGpu.CopyTo(copy);
            return _calculator.NodeFragmentSorting(_cluster.ModelOf[node], copy, _cluster.FreeCpu[node] - request.CpuMilli) - before;
        }

        if (request.GpuMilli >= Limits.GpuMilliPerGpu)
        {
            var free = _cluster.GpuFreeOf(node);
            Span<int> after = stackalloc int[free.Length];
            free.CopyTo(after);
            var remaining = request.GpuCount;
            for (var g = 0; g < after.Length && remaining > 0; g++)
            {
                if (after[g] == Limits.GpuMilliPerGpu)
                {
                    after[g] = 0;
                    remaining--;
                }
            }

            return _calculator.NodeFragmentSorting(_cluster.ModelOf[node], after, _cluster.FreeCpu[node] - request.CpuMilli) - before;
        }

        return BestSharingGpu(request, node, out _) - before;
    }

    /// <summary>The lowest F after placing a sharing pod on one GPU of the node, and that GPU (lowest index on ties).</summary>
    private double BestSharingGpu(in PodRequest request, int node, out int bestGpu)
    {
        var free = _cluster.GpuFreeOf(node);
        var model = _cluster.ModelOf[node];
        var cpuAfter = _cluster.FreeCpu[node] - request.CpuMilli;
        Span<int> scratch = stackalloc int[free.Length];
        var best = double.PositiveInfinity;
        bestGpu = -1;
        for (var g = 0; g < free.Length; g++)
        {
            var f = free[g];
            if (f < request.GpuMilli)
            {
                continue;
            }

            // GPUs with equal free amounts lead to the same state: evaluate only the first of them.
            var seen = false;
            for (var h = 0; h < g; h++)
            {
                if (free[h] == f)
                {
                    seen = true;
                    break;
                }
            }

            if (seen)
            {
                continue;
            }

            free.CopyTo(scratch);
            scratch[g] = f - request.GpuMilli;
            var after = _calculator.NodeFragmentSorting(model, scratch, cpuAfter);
            if (after < best)
            {
                best = after;
                bestGpu = g;
            }
        }

        return best;
    }
}
