using Berth.Model;
using Berth.Simulation.Generation;
using Berth.Simulation.Input;
using Berth.Simulation.Tests.Formats;

namespace Berth.Simulation.Tests.Generation;

public sealed class WorkloadGeneratorTests
{
    private static readonly GeneratorOptions Small = new() { Nodes = 200, Seed = 7 };

    [Fact]
    public void Generate_SameOptions_GivesIdenticalOutput()
    {
        var a = WorkloadGenerator.Generate(Small);
        var b = WorkloadGenerator.Generate(Small with { });

        Assert.Equal(a.Name, b.Name);
        Assert.Equal(a.Nodes.Select(Equivalence.Describe), b.Nodes.Select(Equivalence.Describe));
        Assert.Equal(a.Pods.Select(Equivalence.Describe), b.Pods.Select(Equivalence.Describe));
    }

    [Fact]
    public void Generate_DifferentSeed_GivesDifferentPodsAndRacks()
    {
        var a = WorkloadGenerator.Generate(Small);
        var b = WorkloadGenerator.Generate(Small with { Seed = 8 });

        Assert.NotEqual(a.Pods.Select(Equivalence.Describe), b.Pods.Select(Equivalence.Describe));
        Assert.NotEqual(a.Nodes.Select(Equivalence.Describe), b.Nodes.Select(Equivalence.Describe));
        Assert.Equal("generated-200n-s7", a.Name);
    }

    [Fact]
    public void GenerateCluster_DefaultMix_MatchesGpuCountAndModelWeights()
    {
        var nodes = WorkloadGenerator.GenerateCluster(new GeneratorOptions { Nodes = 1213 });

        Assert.Equal(1213, nodes.Count);
        var byGpus = nodes.GroupBy(n => n.GpuCount).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal([1, 2, 4, 8], byGpus.Keys.Order());
        Assert.InRange(byGpus[8], 612, 622);
        Assert.InRange(byGpus[2], 513, 523);
        Assert.InRange(byGpus[1], 19, 29);
        Assert.InRange(nodes.Count(n => n.GpuModel == "A100"), 541, 551);
        Assert.Equal(nodes.Count, nodes.Select(n => n.Name).Distinct().Count());
        Assert.All(nodes, n => n.Validate());
        Assert.All(nodes, n => Assert.True(GpuModelCatalog.Default.Contains(n.GpuModel!)));
        var perGpu = nodes.Select(n => (n.CpuMilli - 8_000) / n.GpuCount).ToArray();
        Assert.All(nodes, n => Assert.Equal(0, (n.CpuMilli - 8_000) % n.GpuCount));
        Assert.Equal([6_000L, 12_000L, 24_000L], perGpu.Distinct().Order());
        Assert.InRange((double)perGpu.Count(c => c == 6_000) / nodes.Count, 0.25, 0.35);
    }

    [Fact]
    public void GenerateCluster_Racks_HoldAtMostRackSizeNodes()
    {
        var nodes = WorkloadGenerator.GenerateCluster(new GeneratorOptions { Nodes = 100, RackSize = 8, NvlinkDomainSize = 2 });

        var racks = nodes.GroupBy(n => n.Labels[TopologyKeys.Rack]).ToArray();
        Assert.Equal(13, racks.Length);
        Assert.All(racks, r => Assert.InRange(r.Count(), 1, 8));
        var domains = nodes.GroupBy(n => n.Labels[TopologyKeys.NvlinkDomain]).ToArray();
        Assert.All(domains, d => Assert.InRange(d.Count(), 1, 2));
        Assert.All(domains, d => Assert.Single(d.Select(n => n.Labels[TopologyKeys.Rack]).Distinct()));
    }

    [Fact]
    public void GenerateCluster_CpuOnlyFraction_AddsNodesWithoutGpus()
    {
        var nodes = WorkloadGenerator.GenerateCluster(new GeneratorOptions { Nodes = 100, CpuOnlyNodeFraction = 0.25 });

        var cpuOnly = nodes.Where(n => n.GpuCount == 0).ToArray();
        Assert.Equal(25, cpuOnly.Length);
        Assert.All(cpuOnly, n => Assert.Null(n.GpuModel));
        Assert.All(cpuOnly, n => Assert.False(n.Labels.ContainsKey(TopologyKeys.NvlinkDomain)));
    }

    [Fact]
    public void Generate_DefaultTarget_DemandReachesTargetAndEveryPodFits()
    {
        var input = WorkloadGenerator.Generate(Small);

        var demand = input.Pods.Sum(p => p.Pod.GpuDemandMilli);
        Assert.InRange(demand, (long)(input.GpuCapacityMilli * 1.30), (long)(input.GpuCapacityMilli * 1.30) + 8_000);
        Assert.All(input.Pods, p => p.Pod.Validate());
        Assert.All(input.Pods, p => Assert.Contains(input.Nodes, n => Fits(p.Pod, n)));
        Assert.Equal(input.Pods.Count, input.Pods.Select(p => p.Pod.Name).Distinct().Count());
    }

    [Fact]
    public void Generate_DefaultMix_PodKindsAreNearTheirWeights()
    {
        var pods = WorkloadGenerator.Generate(new GeneratorOptions { Nodes = 1000, Seed = 3 }).PodSpecs;

        double Share(Func<Pod, bool> kind) => (double)pods.Count(kind) / pods.Count;
        Assert.InRange(Share(p => p.IsCpuOnly), 0.10, 0.14);
        Assert.InRange(Share(p => p.IsSharing), 0.42, 0.48);
        Assert.InRange(Share(p => p.GpuCount == 1 && !p.IsSharing), 0.32, 0.38);
        Assert.InRange(Share(p => p.GpuCount > 1), 0.065, 0.095);
        var gpuPods = pods.Where(p => !p.IsCpuOnly).ToArray();
        Assert.InRange((double)gpuPods.Count(p => p.AllowedGpuModels.Count > 0) / gpuPods.Length, 0.08, 0.12);
    }

    [Fact]
    public void Generate_Times_ArriveInOrderAndLeaveAfterArriving()
    {
        var pods = WorkloadGenerator.Generate(Small with { ArrivalWindowSeconds = 86_400 }).Pods;

        Assert.Equal(0, pods[0].CreationTime);
        Assert.All(pods, p => Assert.True(p.DeletionTime > p.CreationTime));
        Assert.Equal(pods.Select(p => p.CreationTime), pods.Select(p => p.CreationTime).Order());
        Assert.InRange(pods[^1].CreationTime!.Value, 86_400 * 0.9, 86_400 * 1.1);
    }

    [Theory]
    [InlineData(100)]
    [InlineData(200)]
    public void Generate_NoWindow_ArrivalsSpreadSoTheOfferedLoadIsTheOneAskedFor(double load)
    {
        var input = WorkloadGenerator.Generate(Small with { OfferedLoadPercent = load });

        var gpuSeconds = input.Pods.Sum(p => (double)p.Pod.GpuDemandMilli * (p.DeletionTime!.Value - p.CreationTime!.Value));
        var window = (double)input.Pods[^1].CreationTime!.Value;
        var offered = 100 * gpuSeconds / window / input.GpuCapacityMilli;
        Assert.InRange(offered, load * 0.9, load * 1.1);
    }

    [Fact]
    public void ArrivalWindow_NoDemandOrNoCapacity_IsOneDay()
    {
        Assert.Equal(86_400, WorkloadGenerator.ArrivalWindow(0, 8_000, 200));
        Assert.Equal(86_400, WorkloadGenerator.ArrivalWindow(1e9, 0, 200));
        Assert.Equal(500, WorkloadGenerator.ArrivalWindow(1_000_000, 1_000, 200));
    }

    [Fact]
    public void Generate_PodCount_GivesExactlyThatMany()
    {
        var input = WorkloadGenerator.Generate(Small with { Pods = 123 });

        Assert.Equal(123, input.Pods.Count);
    }

    [Fact]
    public void Generate_OnlySmallNodes_NeverAsksForMoreGpusThanANodeHas()
    {
        var input = WorkloadGenerator.Generate(Small with { GpusPerNodeMix = [new(2, 1)], MultiGpuPodWeight = 50 });

        Assert.Contains(input.Pods, p => p.Pod.GpuCount == 2);
        Assert.All(input.Pods, p => Assert.InRange(p.Pod.GpuCount, 0, 2));
        Assert.All(input.Pods, p => Assert.Contains(input.Nodes, n => Fits(p.Pod, n)));
    }

    public sealed record BadOptions(string Case, GeneratorOptions Options, string Mentions)
    {
        public override string ToString() => Case;
    }

    public static TheoryData<BadOptions> BadOptionCases => new()
    {
        new("Zero nodes are rejected", new GeneratorOptions { Nodes = 0 }, "Nodes"),
        new("A model outside the catalog is rejected", new GeneratorOptions { GpuModelMix = [new("A1000", 1)] }, "GpuModelMix"),
        new("A node of 32 GPUs is rejected", new GeneratorOptions { GpusPerNodeMix = [new(32, 1)] }, "GpusPerNodeMix"),
        new("A whole-GPU sharing share is rejected", new GeneratorOptions { SharingMilliMix = [new(1000, 1)] }, "SharingMilliMix"),
        new("A CPU-only cluster without a pod count is rejected", new GeneratorOptions { Nodes = 10, CpuOnlyNodeFraction = 1 }, "TargetPercent"),
        new("A fraction above one is rejected", new GeneratorOptions { ModelRestrictedFraction = 1.5 }, "ModelRestrictedFraction"),
        new("A zero offered load is rejected", new GeneratorOptions { OfferedLoadPercent = 0 }, "OfferedLoadPercent"),
        new("A negative node CPU size is rejected", new GeneratorOptions { CpuMilliPerGpuMix = [new(-1L, 1)] }, "CpuMilliPerGpuMix"),
        new("A negative pod CPU size is rejected", new GeneratorOptions { GpuPodCpuMilliPerGpuMix = [new(-1L, 1)] }, "GpuPodCpuMilliPerGpuMix"),
    };

    [Theory]
    [MemberData(nameof(BadOptionCases))]
    public void Generate_BadOptions_ThrowsNamingTheOption(BadOptions bad)
    {
        var error = Assert.Throws<InputException>(() => WorkloadGenerator.Generate(bad.Options));

        Assert.Contains(bad.Mentions, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apportion_Weights_SumsToTotalAndFollowsProportions()
    {
        var counts = WorkloadGenerator.Apportion(1213, [24, 518, 54, 617]);

        Assert.Equal([24, 518, 54, 617], counts);
        Assert.Equal(10, WorkloadGenerator.Apportion(10, [1, 1, 1]).Sum());
    }

    private static bool Fits(Pod pod, Node node) =>
        pod.CpuMilli <= node.CpuMilli
        && pod.MemoryMiB <= node.MemoryMiB
        && pod.GpuCount <= node.GpuCount
        && (pod.AllowedGpuModels.Count == 0 || pod.AllowedGpuModels.Contains(node.GpuModel!));
}
