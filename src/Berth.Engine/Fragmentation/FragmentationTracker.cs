using Berth.Engine.Framework;

namespace Berth.Engine.Fragmentation;

/// <summary>
/// Keeps the cluster's fragment amount current: F per node, recomputed only for nodes whose
/// <see cref="ClusterState"/> version changed since they were last looked at.
/// </summary>
public sealed class FragmentationTracker
{
    private readonly ClusterState _cluster;
    private readonly FragmentCalculator _calculator;
    private readonly double[] _fragment;
    private readonly int[] _seen;
    private double _total;

    public FragmentationTracker(ClusterState cluster, FragmentCalculator calculator)
    {
        _cluster = cluster ?? throw new ArgumentNullException(nameof(cluster));
        _calculator = calculator ?? throw new ArgumentNullException(nameof(calculator));
        _fragment = new double[cluster.NodeCount];
        _seen = new int[cluster.NodeCount];
        RefreshAll();
    }

    /// <summary>Cluster fragment amount in milli-GPU.</summary>
    public double FragmentMilli => _total;

    /// <summary>Fragment amount as a share of total GPU capacity (0..1).</summary>
    public double FragmentOfCapacity => _cluster.TotalGpuMilli == 0 ? 0 : _total / _cluster.TotalGpuMilli;

    /// <summary>Fragment amount as a share of idle GPU (0..1); 0 when nothing is idle.</summary>
    public double FragmentOfIdle
    {
        get
        {
            var idle = _cluster.TotalGpuMilli - _cluster.AllocatedGpuMilli;
            return idle <= 0 ? 0 : _total / idle;
        }
    }

    public double NodeFragment(int node)
    {
        Refresh(node);
        return _fragment[node];
    }

    /// <summary>Recomputes <paramref name="node"/> if it changed.</summary>
    public void Refresh(int node)
    {
        var version = _cluster.VersionOf(node);
        if (_seen[node] == version)
        {
            return;
        }

        var value = _calculator.NodeFragment(_cluster.ModelIdOf(node), _cluster.GpuFreeOf(node), _cluster.FreeCpuOf(node));
        _total += value - _fragment[node];
        _fragment[node] = value;
        _seen[node] = version;
    }

    /// <summary>Recomputes every changed node and re-sums, removing floating-point drift.</summary>
    public void RefreshAll()
    {
        for (var node = 0; node < _cluster.NodeCount; node++)
        {
            Refresh(node);
        }

        var sum = 0.0;
        foreach (var f in _fragment)
        {
            sum += f;
        }

        _total = sum;
    }
}
