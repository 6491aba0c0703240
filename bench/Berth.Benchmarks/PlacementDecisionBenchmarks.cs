using BenchmarkDotNet.Attributes;
using Berth.Engine.Framework;
using Berth.Model;

namespace Berth.Benchmarks;

/// <summary>
/// One placement decision on the 1,213-node openb cluster at ~70% arrived GPU demand (default trace,
/// inflation sequence seed 42, filled with the benchmarked policy's own placer).
/// <list type="bullet">
/// <item><c>Evaluate_WarmCache</c>: <see cref="Placer.Evaluate"/> of the next 64 pods of the sequence in rotation.
/// Nothing changes, so after the first round FGD's per (pod type, node) cache is fully warm: the floor cost.</item>
/// <item><c>Evaluate_OneNodeChanged</c>: first releases and re-takes the last placed pod (its node's version
/// bumps, as one real placement would), then evaluates the next pod: exactly one stale node per pod type.</item>
/// <item><c>NodeChurnOnly</c>: the release + re-take alone, to subtract.</item>
/// </list>
/// </summary>
[Config(typeof(BenchConfig))]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class PlacementDecisionBenchmarks
{
    private Placer _placer = null!;
    private Pod[] _pods = null!;
    private (Pod Pod, int Node, int Mask) _churn;
    private PodRequest _churnRequest;
    private int _next;

    [Params("fgd", "fgd-peer", "bestfit")]
    public string Policy { get; set; } = "fgd";

    [GlobalSetup]
    public void Setup()
    {
        var mid = BenchData.Fill(BenchData.Openb(), Policy, 42, 70);
        _placer = mid.Placer;
        _pods = mid.NextPods(64);
        _churn = mid.Placed[^1];
        _churnRequest = _placer.Cluster.Compile(_churn.Pod);
        Console.WriteLine($"// openb {_placer.Cluster.NodeCount} nodes, {Policy}: arrived {mid.ArrivedPercent:F1}%, allocated {mid.AllocatedPercent:F1}% after {mid.Next} pods; next 64: {BenchData.Describe(_pods)}");
    }

    [Benchmark(Baseline = true)]
    public PlacementResult Evaluate_WarmCache() => _placer.Evaluate(_pods[_next++ & 63]);

    [Benchmark]
    public PlacementResult Evaluate_OneNodeChanged()
    {
        Churn();
        return _placer.Evaluate(_pods[_next++ & 63]);
    }

    [Benchmark]
    public void NodeChurnOnly() => Churn();

    private void Churn()
    {
        _placer.Unreserve(_churn.Pod, _churn.Node, _churn.Mask);
        _placer.Reserve(_churnRequest, _churn.Node, _churn.Mask);
    }
}
