using BenchmarkDotNet.Attributes;
using Berth.Engine.Framework;
using Berth.Model;

namespace Berth.Benchmarks;

/// <summary>
/// The FGD decision of <see cref="PlacementDecisionBenchmarks"/> on generated clusters
/// (<c>WorkloadGenerator</c>, seed 1) filled to ~70% arrived GPU demand with their own workload
/// (inflation sequence seed 42, fgd placer).
/// </summary>
[Config(typeof(BenchConfig))]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class ScalingBenchmarks
{
    private Placer _placer = null!;
    private Pod[] _pods = null!;
    private (Pod Pod, int Node, int Mask) _churn;
    private PodRequest _churnRequest;
    private int _next;

    [Params(1_000, 5_000, 20_000)]
    public int Nodes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var mid = BenchData.Fill(BenchData.Generated(Nodes), "fgd", 42, 70);
        _placer = mid.Placer;
        _pods = mid.NextPods(64);
        _churn = mid.Placed[^1];
        _churnRequest = _placer.Cluster.Compile(_churn.Pod);
        Console.WriteLine($"// generated {Nodes} nodes, fgd: arrived {mid.ArrivedPercent:F1}%, allocated {mid.AllocatedPercent:F1}% after {mid.Next} pods; next 64: {BenchData.Describe(_pods)}");
    }

    [Benchmark(Baseline = true)]
    public PlacementResult Evaluate_WarmCache() => _placer.Evaluate(_pods[_next++ & 63]);

    [Benchmark]
    public PlacementResult Evaluate_OneNodeChanged()
    {
        _placer.Unreserve(_churn.Pod, _churn.Node, _churn.Mask);
        _placer.Reserve(_churnRequest, _churn.Node, _churn.Mask);
        return _placer.Evaluate(_pods[_next++ & 63]);
    }
}
