using Berth.Simulation.Generation;
using Berth.Simulation.Scenarios;

namespace Berth.Simulation.Tests.Scenarios;

public sealed class GeneratedWorkloadsTests
{
    private static GeneratedWorkloadOptions Options(int seed) => new() { Queue = "q", Count = 300, Seed = seed, Gpus = [new(1, 50), new(4, 30), new(16, 20)], Priorities = [new(0, 1), new(5, 1)] };

    private static string Fingerprint(IReadOnlyList<Berth.Model.Queueing.Workload> workloads) =>
        string.Join(";", workloads.Select(w => $"{w.Id},{w.SubmitTime.TotalSeconds},{w.Duration!.Value.TotalSeconds},{w.Priority},{w.PodSets[0].Count}x{w.PodSets[0].Template.GpuCount}"));

    [Fact]
    public void Generate_SameSeed_GivesTheSameWorkloads()
    {
        Assert.Equal(Fingerprint(GeneratedWorkloads.Generate(Options(7))), Fingerprint(GeneratedWorkloads.Generate(Options(7))));
    }

    [Fact]
    public void Generate_OtherSeed_GivesOtherWorkloads()
    {
        Assert.NotEqual(Fingerprint(GeneratedWorkloads.Generate(Options(7))), Fingerprint(GeneratedWorkloads.Generate(Options(8))));
    }

    [Fact]
    public void Generate_Workloads_AreValidOrderedAndFollowTheMix()
    {
        var workloads = GeneratedWorkloads.Generate(Options(3));

        Assert.Equal(300, workloads.Count);
        Assert.Equal("q-00000", workloads[0].Id);
        Assert.Equal(TimeSpan.Zero, workloads[0].SubmitTime);
        Assert.All(workloads, w => w.Validate());
        Assert.Equal(workloads.Select(w => w.SubmitTime).Order(), workloads.Select(w => w.SubmitTime));
        Assert.Equal([(1, 1), (1, 4), (2, 8)], workloads.Select(w => (w.PodSets[0].Count, w.PodSets[0].Template.GpuCount)).Distinct().Order());
        Assert.Equal([0, 5], workloads.Select(w => w.Priority).Distinct().Order());
        Assert.All(workloads, w => Assert.True(w.Duration >= TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void Read_ScenarioWithGenerateSource_IsDeterministic()
    {
        const string text = "kind: Scenario\nname: g\ncluster:\n  nodeGroups: [{name: n, count: 4, gpus: 8, gpuModel: A100, cpu: 128, memory: 1Ti}]\n"
            + "flavors: [{name: f}]\nqueues: [{name: q, flavors: [{flavor: f}]}]\n"
            + "sources:\n  - generate: {queue: q, count: 50, seed: 11, gpus: {1: 1, 8: 1}, priorities: {0: 1, 9: 1}, meanInterarrival: 30s}\n";

        var first = ScenarioReader.Read("/g.yaml", text).Workloads;
        var second = ScenarioReader.Read("/g.yaml", text).Workloads;

        Assert.Equal(Fingerprint(first), Fingerprint(second));
        Assert.Equal(50, first.Count);
    }
}
