using BenchmarkDotNet.Attributes;
using Berth.Simulation.Inflation;
using Berth.Simulation.Input;
using Berth.Simulation.Metrics;

namespace Berth.Benchmarks;

/// <summary>One whole inflation experiment (130% target, seed 42) on the default openb trace; the trace is read once.</summary>
[Config(typeof(BenchConfig))]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class InflationBenchmarks
{
    private SimulationInput _input = null!;

    [Params("fgd", "fgd-peer")]
    public string Policy { get; set; } = "fgd";

    [GlobalSetup]
    public void Setup() => _input = BenchData.Openb();

    [Benchmark]
    public RunResult Inflation() => InflationExperiment.Run(_input, Policy, 42);
}
