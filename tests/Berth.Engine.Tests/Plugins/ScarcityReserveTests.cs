using Berth.Engine.Fragmentation;
using Berth.Engine.Framework;
using Berth.Engine.Plugins.ScarcityReserve;
using Berth.TestKit;
using static Berth.Engine.Tests.EngineTestHelpers;

namespace Berth.Engine.Tests.Plugins;

public sealed class ScarcityReserveTests
{
    private const long GiB = 1024;

    /// <summary>
    /// Common 1-GPU pods plus a rare 8-GPU type that needs 800 GiB of memory, which only "bigmem" has.
    /// FGD does not look at memory, so both nodes look alike to it.
    /// </summary>
    private static TargetWorkload CommonAndRareBigMemory() => new(
    [
        new WorkloadType(8_000, 1000, 1, [], 0.9) { MemoryMiB = 16 * GiB },
        new WorkloadType(64_000, 1000, 8, [], 0.1) { MemoryMiB = 800 * GiB },
    ]);

    private static ClusterState BigMemAndStandard() => new(
    [
        Make.Node("bigmem").Cpu(96_000).Memory(1024 * GiB).Gpus(8).Build(),
        Make.Node("std").Cpu(96_000).Memory(256 * GiB).Gpus(8).Build(),
    ]);

    [Fact]
    public void DefaultFgd_PodThatFitsAnywhere_LeavesTheOnlyHostOfARareTypeAlone()
    {
        var pod = Make.Pod("p").Cpu(8_000).Memory(16 * GiB).Gpus(1).Build();
        var seeds = Enumerable.Range(1, 20).ToArray();

        var fgd = seeds.Select(s => PlacerFor("fgd", BigMemAndStandard(), s, CommonAndRareBigMemory()).Place(pod).Assignment!.NodeName).ToArray();
        var peer = seeds.Select(s => PlacerFor("fgd-peer", BigMemAndStandard(), s, CommonAndRareBigMemory()).Place(pod).Assignment!.NodeName).ToArray();

        Assert.All(fgd, node => Assert.Equal("std", node));
        // The published rule cannot tell the nodes apart: its seeded order sends the pod to bigmem for some seeds.
        Assert.Contains("bigmem", peer);
    }

    [Fact]
    public void DefaultFgd_RareTypeItself_StillGetsItsHost()
    {
        var rare = Make.Pod("big").Cpu(64_000).Memory(800 * GiB).Gpus(8).Build();

        var result = PlacerFor("fgd", BigMemAndStandard(), 3, CommonAndRareBigMemory()).Place(rare);

        Assert.Equal("bigmem", result.Assignment!.NodeName);
    }

    [Fact]
    public void DefaultFgd_CpuOnlyPod_UsesTheCpuOfANodeWhoseGpusAreTaken()
    {
        ClusterState Cluster()
        {
            var c = new ClusterState([Make.Node("busy").Cpu(32_000).Gpus(1).Build(), Make.Node("idle").Cpu(32_000).Gpus(1).Build()]);
            Occupy(c, 0, 0, 1000);
            return c;
        }

        var pod = Make.Pod("cpu").Cpu(8_000).Build();
        var target = Only(4_000, 1000, 1);
        var seeds = Enumerable.Range(1, 20).ToArray();

        var fgd = seeds.Select(s => PlacerFor("fgd", Cluster(), s, target).Place(pod).Assignment!.NodeName).ToArray();
        var peer = seeds.Select(s => PlacerFor("fgd-peer", Cluster(), s, target).Place(pod).Assignment!.NodeName).ToArray();

        Assert.All(fgd, node => Assert.Equal("busy", node));
        Assert.Contains("idle", peer);
    }

    [Fact]
    public void HostingTracker_AllocateAndRelease_KeepsHostCapacityPerType()
    {
        var cluster = BigMemAndStandard();
        var tracker = new HostingTracker(cluster, CommonAndRareBigMemory());
        tracker.Refresh();

        // Type 0 (1 GPU, 16 GiB) fits both nodes: 16 GPUs; type 1 (8 GPUs, 800 GiB) only bigmem: 8 GPUs.
        Assert.Equal(16, tracker.CapacityOf(0));
        Assert.Equal(8, tracker.CapacityOf(1));
        Assert.Equal(0b11UL, tracker.HostsOf(0));
        Assert.Equal(0b01UL, tracker.HostsOf(1));

        var request = cluster.Compile(Make.Pod("p").Cpu(8_000).Memory(16 * GiB).Gpus(1).Build());
        cluster.Allocate(0, request, 1);
        tracker.Refresh();
        Assert.Equal(0, tracker.CapacityOf(1));
        Assert.Equal(16, tracker.CapacityOf(0));

        cluster.Release(0, request, 1);
        tracker.Refresh();
        Assert.Equal(8, tracker.CapacityOf(1));
    }

    [Fact]
    public void HostingTracker_Cost_IsHigherForTheTypeWithFewerHosts()
    {
        var cluster = BigMemAndStandard();
        var tracker = new HostingTracker(cluster, CommonAndRareBigMemory());
        tracker.Refresh();

        // p * demand / capacity: common 0.9 * 1000 / 16 = 56.25; rare 0.1 * 8000 / 8 = 100.
        Assert.Equal(56.25, tracker.Cost(0b01), 6);
        Assert.Equal(100, tracker.Cost(0b10), 6);
        Assert.Equal(156.25, tracker.Cost(0b11), 6);
        Assert.Equal(0, tracker.Cost(0));
    }

    [Fact]
    public void HostingTracker_Dead_IsIdleGpuNoTypeCanUseForItsShareOrTheNodesCpu()
    {
        var cluster = new ClusterState([Make.Node("n").Cpu(96_000).Memory(384 * GiB).Gpus(4).Build()]);
        var tracker = new HostingTracker(cluster, new TargetWorkload(
        [
            new WorkloadType(8_000, 1000, 1, [], 0.7) { MemoryMiB = 16 * GiB },
            new WorkloadType(4_000, 300, 1, [], 0.3) { MemoryMiB = 8 * GiB },
        ]));
        int[] free = [1000, 350, 200, 0];

        // Enough CPU for both types: only the 200 sliver is too small for every type.
        Assert.Equal(200, tracker.Dead(0, free, 10_000, 64 * GiB));
        // CPU for the sharing type only: it still fits the fully free GPU and the 350 sliver.
        Assert.Equal(200, tracker.Dead(0, free, 6_000, 64 * GiB));
        // CPU (or memory) for no type: all idle GPU is dead.
        Assert.Equal(1550, tracker.Dead(0, free, 3_000, 64 * GiB));
        Assert.Equal(1550, tracker.Dead(0, free, 10_000, 4 * GiB));
    }
}
