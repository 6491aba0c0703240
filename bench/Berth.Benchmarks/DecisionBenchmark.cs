using BenchmarkDotNet.Attributes;
using Berth.Engine.Framework;
using Berth.Model;

namespace Berth.Benchmarks;

/// <summary>
/// The decision benchmarks shared by <see cref="PlacementDecisionBenchmarks"/> and <see cref="ScalingBenchmarks"/>:
/// a placer filled to ~70% arrived GPU demand, the next 64 pods of its sequence, and the last placed pod to churn.
/// <list type="bullet">
/// <item><c>Evaluate_WarmCache</c>: <see cref="Placer.Evaluate"/> of the next 64 pods in rotation. Nothing
/// changes, so after the first round FGD's per (pod type, node) cache is fully warm: the floor cost.</item>
/// <item><c>Evaluate_OneNodeChanged</c>: first releases and re-takes the last placed pod (its node's version
/// bumps, as one real placement would), then evaluates the next pod: exactly one stale node per pod type.</item>
/// </list>
/// </summary>
public abstract class DecisionBenchmark
{
    private Placer _placer = null!;
    private Pod[] _pods = null!;
    private (Pod Pod, int Node, int Mask) _churn;
    private PodRequest _churnRequest;
    private int _next;

    /// <summary>Called from the subclass's global setup with the filled cluster; prints what was built.</summary>
    protected void Init(MidRun mid, string label)
    {
        _placer = mid.Placer;
        _pods = mid.NextPods(64);
        _churn = mid.Placed[^1];
        _churnRequest = _placer.Cluster.Compile(_churn.Pod);
        Console.WriteLine($"// {label}: arrived {mid.ArrivedPercent:F1}%, allocated {mid.AllocatedPercent:F1}% after {mid.Next} pods; next 64: {BenchData.Describe(_pods)}");
    }

    /// <summary>Evaluates each of the next 64 pods once, so that the first measured iterations do not pay for cold caches (per pod type and node, or per pod class).</summary>
    protected void WarmEveryPod()
    {
        foreach (var pod in _pods)
        {
            _placer.Evaluate(pod);
        }
    }

    [Benchmark(Baseline = true)]
    public PlacementResult Evaluate_WarmCache() => _placer.Evaluate(_pods[_next++ & 63]);

    [Benchmark]
    public PlacementResult Evaluate_OneNodeChanged()
    {
        Churn();
        return _placer.Evaluate(_pods[_next++ & 63]);
    }

    protected void Churn()
    {
        _placer.Unreserve(_churn.Pod, _churn.Node, _churn.Mask);
        _placer.Reserve(_churnRequest, _churn.Node, _churn.Mask);
    }
}
