using Berth.Simulation.Generation;
using Berth.Simulation.Jobs;

namespace Berth.Simulation.Tests.Generation;

/// <summary>The month-of-a-hyperscale-cluster generator, run tiny (the full size is <c>scenario hyperscale</c> in bench/).</summary>
public sealed class HyperscaleGeneratorTests
{
    private static readonly HyperscaleOptions Tiny = new() { Nodes = 16, Days = 2, Jobs = 400, Queues = 4, Cohorts = 2, Seed = 7 };

    [Fact]
    public void Generate_TinyCluster_OffersTheAskedLoadWithGangsOfEightGpuPods()
    {
        var scenario = HyperscaleGenerator.Generate(Tiny);

        Assert.Equal(16, scenario.Nodes.Count);
        Assert.Equal(400, scenario.Workloads.Count);
        var gpuSeconds = scenario.Workloads.Sum(w => w.PodSets[0].Count * w.PodSets[0].Template.GpuCount * w.Duration!.Value.TotalSeconds);
        var capacity = 16 * 8 * 2 * 86_400.0;
        Assert.InRange(gpuSeconds / capacity, 0.80, 0.90);
        Assert.All(scenario.Workloads, w =>
        {
            var set = Assert.Single(w.PodSets);
            Assert.True(set.Count == 1 || set.Template.GpuCount == 8, $"{w.Id}: a gang of {set.Count} pods of {set.Template.GpuCount} GPUs");
            Assert.InRange(set.Count * set.Template.GpuCount, 1, 512);
            Assert.True(w.ExpectedRunTime >= w.Duration, $"{w.Id}: estimate below the real duration");
        });
        Assert.Contains(scenario.Workloads, w => w.PodSets[0].Count > 1);
        Assert.True(scenario.Workloads.Count(w => w.PodSets[0].Template.GpuCount == 1) > scenario.Workloads.Count / 2, "most jobs take one GPU");
        Assert.Equal(scenario.Workloads.Select(w => w.SubmitTime), scenario.Workloads.Select(w => w.SubmitTime).Order());
    }

    [Fact]
    public void Replay_TinyHyperscale_EveryJobAccountedForAndDeterministic()
    {
        var first = JobReplay.Run(HyperscaleGenerator.Generate(Tiny), "fair-share+backfill+preemption");
        var second = JobReplay.Run(HyperscaleGenerator.Generate(Tiny), "fair-share+backfill+preemption");

        var all = first.Queues[^1];
        Assert.Equal(400, all.Jobs);
        Assert.Equal(all.Jobs, all.Completed + all.Failed + all.Unfinished);
        Assert.True(all.Completed > 300, $"only {all.Completed} of 400 jobs completed");
        Assert.Equal(first.EventLogHash, second.EventLogHash);
    }

    [Fact]
    public void Generate_SizeThatIsNoMultipleOfEight_ThrowsNamingTheOption()
    {
        var bad = Tiny with { SizeMix = [new Weighted<int>(12, 1)] };

        var error = Assert.Throws<ArgumentException>(() => HyperscaleGenerator.Generate(bad));
        Assert.Contains("SizeMix", error.Message, StringComparison.Ordinal);
    }
}
