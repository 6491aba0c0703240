using Berth.Engine.Admission;
using Berth.Model;
using Berth.Model.Queueing;
using Berth.TestKit;

namespace Berth.Engine.Tests.Admission.Serving;

/// <summary>
/// Spread placement of serving replicas (<see cref="Workload.ServingGroup"/>): on a cluster of 3 zones x 2 racks x 2
/// nodes of 8 GPUs, under <c>bestfit</c> (which packs a training job's pods onto one node), the replicas of one
/// service go to distinct zones, then racks, then nodes while room exists, and fall back to packing's choice when it
/// does not.
/// </summary>
public sealed class ServingSpreadTests
{
    private static readonly Node[] Cluster =
    [
        .. from z in Enumerable.Range(0, 3)
           from r in Enumerable.Range(0, 2)
           from n in Enumerable.Range(0, 2)
           select Make.Node($"z{z}-r{r}-n{n}").Cpu(64_000).Memory(512 * 1024).Gpus(8)
               .Label(TopologyKeys.Zone, $"z{z}").Label(TopologyKeys.Rack, $"z{z}-r{r}").Build(),
    ];

    [Theory]
    [InlineData(3, 3, 3, 3)]
    [InlineData(6, 3, 6, 6)]
    [InlineData(12, 3, 6, 12)]
    public void Schedule_ReplicasOfOneService_SpreadAcrossZonesThenRacksThenNodes(int replicas, int zones, int racks, int nodes)
    {
        var s = Scheduler(Cluster);
        for (var i = 0; i < replicas; i++)
        {
            s.Submit(Replica($"svc-{i}", "svc"));
            s.Schedule();
        }

        var placed = NodesOf(s, "svc-", replicas);
        Assert.Equal(replicas, placed.Length);
        Assert.Equal(zones, placed.Select(n => n.Labels[TopologyKeys.Zone]).Distinct().Count());
        Assert.Equal(racks, placed.Select(n => n.Labels[TopologyKeys.Rack]).Distinct().Count());
        Assert.Equal(nodes, placed.Distinct().Count());
    }

    [Fact]
    public void Schedule_SameReplicasAsTraining_ArePackedOntoOneNode()
    {
        // The contrast: without a serving group the policy alone decides, and bestfit packs.
        var s = Scheduler(Cluster);
        for (var i = 0; i < 3; i++)
        {
            s.Submit(Replica($"t-{i}", group: null));
            s.Schedule();
        }

        Assert.Single(NodesOf(s, "t-", 3).Distinct());
    }

    [Fact]
    public void Schedule_AllAtOnceInOneCycle_StillSpread()
    {
        var s = Scheduler(Cluster);
        for (var i = 0; i < 3; i++)
        {
            s.Submit(Replica($"svc-{i}", "svc"));
        }

        s.Schedule();

        Assert.Equal(3, NodesOf(s, "svc-", 3).Select(n => n.Labels[TopologyKeys.Zone]).Distinct().Count());
    }

    [Fact]
    public void Schedule_TwoServices_EachSpreadsOnItsOwn()
    {
        // b's first replica does not avoid a's nodes: spread counts its own group only, and bestfit packs it beside a's.
        var s = Scheduler(Cluster);
        s.Submit(Replica("a-0", "a"));
        s.Schedule();
        s.Submit(Replica("b-0", "b"));
        s.Schedule();

        Assert.Equal(s.Find("a-0")!.Pods[0].Node, s.Find("b-0")!.Pods[0].Node);
    }

    [Fact]
    public void Schedule_OnlyAUsedZoneHasRoom_ReplicaStartsThereInsteadOfWaiting()
    {
        var s = Scheduler(Cluster);
        foreach (var node in Cluster.Where(n => n.Labels[TopologyKeys.Zone] != "z0"))
        {
            Assert.True(s.Withhold(node.Name, new Pod { Name = "other", CpuMilli = 1000, MemoryMiB = 1024, GpuCount = 8, GpuMilli = Limits.GpuMilliPerGpu }, 0xFF));
        }

        s.Submit(Replica("svc-0", "svc"));
        s.Schedule();
        s.Submit(Replica("svc-1", "svc"));
        s.Schedule();

        var placed = NodesOf(s, "svc-", 2);
        Assert.Equal(2, placed.Length);
        Assert.All(placed, n => Assert.Equal("z0", n.Labels[TopologyKeys.Zone]));
        Assert.NotEqual(placed[0].Labels[TopologyKeys.Rack], placed[1].Labels[TopologyKeys.Rack]);
    }

    [Fact]
    public void Finish_ReplicaEnds_ItsZoneCountsAsEmptyAgain()
    {
        var s = Scheduler(Cluster);
        for (var i = 0; i < 3; i++)
        {
            s.Submit(Replica($"svc-{i}", "svc"));
            s.Schedule();
        }

        var freed = s.Find("svc-1")!.Pods[0].Node;
        s.Finish("svc-1");
        s.Submit(Replica("svc-3", "svc"));
        s.Schedule();

        var zones = new[] { "svc-0", "svc-2", "svc-3" }.Select(id => Cluster[s.Find(id)!.Pods[0].Node].Labels[TopologyKeys.Zone]).ToArray();
        Assert.Equal(Cluster[freed].Labels[TopologyKeys.Zone], zones[2]);
        Assert.Equal(3, zones.Distinct().Count());
    }

    [Fact]
    public void Schedule_KubeDefault_SpreadsServingPodsToo()
    {
        // kube-scheduler spreads the pods of a Deployment by default (system default topology spread constraints).
        var s = Scheduler(Cluster, AdmissionProfiles.Apply("kube-default", new AdmissionOptions { PlacementPolicy = "bestfit" }));
        for (var i = 0; i < 3; i++)
        {
            s.Submit(Replica($"svc-{i}", "svc"));
            s.Schedule();
        }

        Assert.Equal(3, NodesOf(s, "svc-", 3).Select(n => n.Labels[TopologyKeys.Zone]).Distinct().Count());
    }

    internal static Workload Replica(string id, string? group, int gpus = 2) =>
        Make.Workload(id).In("q").Pods(1, gpus: gpus).Build() with { ServingGroup = group };

    private static AdmissionScheduler Scheduler(IReadOnlyList<Node> nodes, AdmissionOptions? options = null) =>
        new(nodes, new QueueConfiguration { Flavors = [new Flavor("default")], Queues = [Make.Queue("q").Gpus(1000).Build()] },
            options ?? new AdmissionOptions { PlacementPolicy = "bestfit" }, new ManualTime());

    private static Node[] NodesOf(AdmissionScheduler s, string prefix, int count) =>
        Enumerable.Range(0, count).Select(i => s.Find(prefix + i)!)
            .Where(w => w.Phase == WorkloadPhase.Admitted)
            .Select(w => Cluster[w.Pods[0].Node]).ToArray();
}
