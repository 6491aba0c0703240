using Berth.Engine.Admission;
using Berth.Model;
using Berth.Model.Queueing;
using Berth.TestKit;

namespace Berth.Engine.Tests.Admission;

/// <summary>
/// Preferred topology levels (Kueue's preferred topology, several levels): the pods of a set go inside one domain of
/// the narrowest preferred level that has room, then the next, then the required level or anywhere.
/// </summary>
public class PreferredTopologyTests
{
    private const string Rack = TopologyKeys.Rack;
    private const string Nvlink = TopologyKeys.NvlinkDomain;

    /// <summary>Racks ra (a-0, a-1) and rb (b-0, b-1), one NVLink domain per node, 8 GPUs each; 4 GPUs of a-0 and b-0 taken.</summary>
    private static AdmissionScheduler Cluster(params string[] fullNodes) => Cluster(true, fullNodes);

    private static AdmissionScheduler Cluster(bool halves, params string[] fullNodes)
    {
        var nodes = new[] { ("a-0", "ra"), ("a-1", "ra"), ("b-0", "rb"), ("b-1", "rb") }
            .Select(n => Make.Node(n.Item1).Cpu(64_000).Memory(512 * 1024).Gpus(8).Label(Rack, n.Item2).Label(Nvlink, n.Item1).Build()).ToArray();
        var config = new QueueConfiguration { Flavors = [new Flavor("default")], Queues = [Make.Queue("q").Gpus(32).Build()] };
        var scheduler = new AdmissionScheduler(nodes, config, new AdmissionOptions { PlacementPolicy = "bestfit" }, new ManualTime());
        var half = new Pod { Name = "other", CpuMilli = 1000, MemoryMiB = 1024, GpuCount = 4, GpuMilli = Limits.GpuMilliPerGpu };
        if (halves)
        {
            Assert.True(scheduler.Withhold("a-0", half, 0x0F));
            Assert.True(scheduler.Withhold("b-0", half, 0x0F));
        }

        foreach (var node in fullNodes)
        {
            Assert.True(scheduler.Withhold(node, half with { GpuCount = 8 }, 0xFF));
        }

        return scheduler;
    }

    private static Workload Gang(IReadOnlyList<string> preferred, string? required = null, int gpus = 4)
    {
        var w = Make.Workload("g").In("q").Pods(2, gpus: gpus).Build();
        return w with { PodSets = [w.PodSets[0] with { PreferredTopology = preferred, TopologyKey = required }] };
    }

    private static string[] NodesOf(AdmissionScheduler s, string id) =>
        s.Find(id)!.Pods.Select(p => s.Cluster.Nodes[p.Node].Name).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void Preferred_RackWithRoom_KeepsTheGangInOneRack_WhereThePlainPlacementSplitsIt()
    {
        var plain = Cluster();
        plain.Submit(Gang([]));
        plain.Schedule();
        Assert.Equal(["a-0", "b-0"], NodesOf(plain, "g")); // bestfit fills the two half-used nodes, one per rack

        var preferred = Cluster();
        preferred.Submit(Gang([Rack]));
        preferred.Schedule();
        var nodes = NodesOf(preferred, "g");
        Assert.Single(nodes.Select(n => n[0]).Distinct()); // one rack
        Assert.Equal(["a-0", "a-1"], nodes); // the rack with the least free room that holds it, then by name
    }

    [Fact]
    public void Preferred_NoRackHasRoom_PlacesAcrossRacks_WhereRequiredWaits()
    {
        var preferred = Cluster("a-1", "b-1");
        preferred.Submit(Gang([Rack]));
        preferred.Schedule();
        Assert.Equal(WorkloadPhase.Admitted, preferred.Find("g")!.Phase);
        Assert.Equal(["a-0", "b-0"], NodesOf(preferred, "g"));

        var required = Cluster("a-1", "b-1");
        required.Submit(Gang([], Rack));
        required.Schedule();
        Assert.Equal(WorkloadPhase.Pending, required.Find("g")!.Phase);
    }

    [Fact]
    public void PreferredNvlink_ThenRequiredRack_FallsBackToOneRackWhenNoNvlinkDomainHoldsIt()
    {
        // 2 x 8 GPUs: no single node (NVLink domain) holds both, so the set goes inside one rack.
        var s = Cluster(halves: false);
        s.Submit(Gang([Nvlink], Rack, gpus: 8));
        s.Schedule();
        Assert.Equal(WorkloadPhase.Admitted, s.Find("g")!.Phase);
        Assert.Single(NodesOf(s, "g").Select(n => n[0]).Distinct());
        Assert.Equal(2, NodesOf(s, "g").Distinct().Count());
    }

    [Fact]
    public void PreferredNvlinkThenRack_SmallGang_GoesInsideOneNvlinkDomain()
    {
        // 2 x 4 GPUs: a whole free node holds both, so the narrowest level wins (unconstrained bestfit would use a-0 and b-0).
        var s = Cluster();
        s.Submit(Gang([Nvlink, Rack]));
        s.Schedule();
        Assert.Equal(["a-1", "a-1"], NodesOf(s, "g"));
    }
}
