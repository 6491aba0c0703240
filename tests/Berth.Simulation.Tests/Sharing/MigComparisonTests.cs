using Berth.Simulation.Generation;
using Berth.Simulation.Sharing;
using Xunit.Abstractions;

namespace Berth.Simulation.Tests.Sharing;

public sealed class MigComparisonTests(ITestOutputHelper output)
{
    [Fact]
    public void Run_DriftingInferenceMix_RepartitioningBeatsStaticLayoutsWhichBeatWholeGpus()
    {
        var runs = MigComparison.Run(new InferenceWorkloadOptions { Nodes = 2, Requests = 1500 }, repartitionSeconds: 30);
        output.WriteLine(MigComparison.Table(runs));

        var (repartition, fixedLayouts, whole) = (runs[0], runs[1], runs[2]);
        Assert.Equal(["re-partitioning", "static layouts", "whole GPUs"], runs.Select(r => r.Mode));
        Assert.True(repartition.Served > fixedLayouts.Served, $"re-partitioning served {repartition.Served}, static {fixedLayouts.Served}");
        Assert.True(fixedLayouts.Served > whole.Served, $"static served {fixedLayouts.Served}, whole GPUs {whole.Served}");
        Assert.True(repartition.MeanIdleGpus < fixedLayouts.MeanIdleGpus, $"idle GPUs: re-partitioning {repartition.MeanIdleGpus}, static {fixedLayouts.MeanIdleGpus}");
        Assert.True(fixedLayouts.MeanIdleGpus < whole.MeanIdleGpus, $"idle GPUs: static {fixedLayouts.MeanIdleGpus}, whole GPUs {whole.MeanIdleGpus}");
        Assert.True(repartition.Repartitions > 0);
        Assert.Equal(0, fixedLayouts.Repartitions);
    }

    [Fact]
    public void Generate_SameOptions_SameRequests()
    {
        var options = new InferenceWorkloadOptions { Requests = 200, Seed = 7 };

        Assert.Equal(InferenceWorkloadGenerator.Generate(options), InferenceWorkloadGenerator.Generate(options));
        Assert.NotEqual(InferenceWorkloadGenerator.Generate(options), InferenceWorkloadGenerator.Generate(options with { Seed = 8 }));
    }

    [Fact]
    public void Generate_ModelWithoutMig_ThrowsNamingTheModels()
    {
        var error = Assert.Throws<ArgumentException>(() => InferenceWorkloadGenerator.Generate(new InferenceWorkloadOptions { GpuModel = "T4" }));

        Assert.Contains("T4 has no MIG geometry; use one of A100, A100-40G, H100, H200", error.Message, StringComparison.Ordinal);
    }
}
