using BenchmarkDotNet.Attributes;

namespace Berth.Benchmarks;

/// <summary>
/// The FGD decision of <see cref="PlacementDecisionBenchmarks"/> on generated clusters
/// (<c>WorkloadGenerator</c>, seed 1) filled to ~70% arrived GPU demand with their own workload
/// (inflation sequence seed 42, fgd placer).
/// </summary>
[Config(typeof(BenchConfig))]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class ScalingBenchmarks : DecisionBenchmark
{
    [Params(1_000, 5_000, 20_000)]
    public int Nodes { get; set; }

    [GlobalSetup]
    public void Setup() => Init(BenchData.Fill(BenchData.Generated(Nodes), "fgd", 42, 70), $"generated {Nodes} nodes, fgd");
}
