using BenchmarkDotNet.Attributes;

namespace Berth.Benchmarks;

/// <summary>
/// One placement decision on the 1,213-node openb cluster at ~70% arrived GPU demand (default trace,
/// inflation sequence seed 42, filled with the benchmarked policy's own placer); see
/// <see cref="DecisionBenchmark"/> for the cases. <c>NodeChurnOnly</c> is the release + re-take alone, to subtract.
/// </summary>
[Config(typeof(BenchConfig))]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class PlacementDecisionBenchmarks : DecisionBenchmark
{
    [Params("fgd", "fgd-peer", "bestfit")]
    public string Policy { get; set; } = "fgd";

    [GlobalSetup]
    public void Setup()
    {
        var mid = BenchData.Fill(BenchData.Openb(), Policy, 42, 70);
        Init(mid, $"openb {mid.Placer.Cluster.NodeCount} nodes, {Policy}");
    }

    [Benchmark]
    public void NodeChurnOnly() => Churn();
}
