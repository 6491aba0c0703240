using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Berth.Benchmarks;

/// <summary>
/// <see cref="BenchConfig"/> with one in-process job (1 launch, 3 warm-up and 10 measured iterations): on the loaded
/// 2-core machine, building a separate benchmark executable runs past BenchmarkDotNet's 120 s build timeout.
/// </summary>
public sealed class InProcessBenchConfig : BenchmarkDotNet.Configs.ManualConfig
{
    public InProcessBenchConfig()
    {
        Add(new BenchConfig());
        AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(10).WithToolchain(InProcessEmitToolchain.Instance));
    }
}
