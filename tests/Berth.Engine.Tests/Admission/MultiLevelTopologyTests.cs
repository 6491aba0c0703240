using Berth.Engine.Admission;
using Berth.Model;
using Berth.Model.Queueing;
using Berth.TestKit;

namespace Berth.Engine.Tests.Admission;

/// <summary>
/// Topology levels of a flavor (block &gt; rack &gt; hostname, as Kueue's Topology object): a pod set that prefers one
/// level climbs to the next wider one when no domain of it has room, never beyond its required level.
/// </summary>
public class MultiLevelTopologyTests
{
    private const string Block = TopologyKeys.Block;
    private const string Rack = TopologyKeys.Rack;
    private const string Host = TopologyKeys.Hostname;

    /// <summary>
    /// Blocks b1 and b2, each of racks r1 and r2 (named b1-r1 ...), each of nodes n1 and n2 (b1-r1-n1 ...), 8 GPUs
    /// each; <paramref name="used"/> gives the GPUs already taken per node name.
    /// </summary>
    private static AdmissionScheduler Cluster(IReadOnlyList<string> levels, params (string Node, int Gpus)[] used)
    {
        var nodes = new List<Node>();
        foreach (var b in new[] { "b1", "b2" })
        {
            foreach (var r in new[] { "r1", "r2" })
            {
                foreach (var n in new[] { "n1", "n2" })
                {
                    nodes.Add(Make.Node($"{b}-{r}-{n}").Cpu(64_000).Memory(512 * 1024).Gpus(8).Label(Block, b).Label(Rack, $"{b}-{r}").Build());
                }
            }
        }

        var config = new QueueConfiguration { Flavors = [new Flavor("default") { TopologyLevels = levels }], Queues = [Make.Queue("q").Gpus(64).Build()] };
        var scheduler = new AdmissionScheduler(nodes, config, new AdmissionOptions { PlacementPolicy = "bestfit" }, new ManualTime());
        var other = new Pod { Name = "other", CpuMilli = 1000, MemoryMiB = 1024, GpuMilli = Limits.GpuMilliPerGpu };
        foreach (var (node, gpus) in used)
        {
            Assert.True(scheduler.Withhold(node, other with { GpuCount = gpus }, (1 << gpus) - 1));
        }

        return scheduler;
    }

    /// <summary>
    /// GPUs free: b1's racks 4 + 6 each (10 per rack, 20 in the block), b2's racks 4 + 0 each (8 in the block); no
    /// node has 8 free.
    /// </summary>
    private static (string, int)[] Used => [("b1-r1-n1", 4), ("b1-r1-n2", 2), ("b1-r2-n1", 4), ("b1-r2-n2", 2), ("b2-r1-n1", 4), ("b2-r1-n2", 8), ("b2-r2-n1", 4), ("b2-r2-n2", 8)];

    private static int RacksOf(string[] nodes) => nodes.Select(n => n[..5]).Distinct().Count();

    private static Workload Gang(int pods, int gpus, string? preferred, string? required = null)
    {
        var w = Make.Workload("g").In("q").Pods(pods, gpus: gpus).Build();
        return w with { PodSets = [w.PodSets[0] with { PreferredTopology = preferred is null ? [] : [preferred], TopologyKey = required }] };
    }

    private static string[] NodesOf(AdmissionScheduler s) =>
        s.Find("g")!.Pods.Select(p => s.Cluster.Nodes[p.Node].Name).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void PreferredHostname_NoNodeHasRoom_ClimbsToOneRack_WhereWithoutLevelsItSpreads()
    {
        // 2 x 4 GPUs: no node has 8 free; rack b1-r1 has 10. bestfit alone takes the two nodes with exactly 4 free.
        var climbs = Cluster([Block, Rack, Host], Used);
        climbs.Submit(Gang(2, 4, Host));
        climbs.Schedule();
        var nodes = NodesOf(climbs);
        Assert.Equal(2, nodes.Length);
        Assert.Equal(["b1-r1-n1", "b1-r1-n2"], nodes); // one rack: the tightest that holds both, then by name

        var flat = Cluster([], Used);
        flat.Submit(Gang(2, 4, Host));
        flat.Schedule();
        Assert.Equal(WorkloadPhase.Admitted, flat.Find("g")!.Phase);
        Assert.Equal(2, RacksOf(NodesOf(flat))); // bestfit takes the two tightest nodes, in two racks
    }

    [Fact]
    public void PreferredRack_NoRackHasRoom_ClimbsToOneBlock()
    {
        // 3 x 4 GPUs: a rack of b1 holds two such pods (4 + 6 free), b1 as a whole four, b2 two; no rack holds three.
        var s = Cluster([Block, Rack, Host], Used);
        s.Submit(Gang(3, 4, Rack));
        s.Schedule();
        var nodes = NodesOf(s);
        Assert.Equal(3, nodes.Length);
        Assert.All(nodes, n => Assert.StartsWith("b1-", n, StringComparison.Ordinal));
    }

    [Fact]
    public void PreferredRack_RequiredBlock_NoBlockHasRoom_Waits_ThoughTheClusterHasRoom()
    {
        // 5 x 4 GPUs: six such pods fit in all, at most four in one block.
        var s = Cluster([Block, Rack, Host], Used);
        s.Submit(Gang(5, 4, Rack, Block));
        s.Schedule();
        Assert.Equal(WorkloadPhase.Pending, s.Find("g")!.Phase);

        var free = Cluster([Block, Rack, Host], Used);
        free.Submit(Gang(5, 4, Rack));
        free.Schedule();
        Assert.Equal(WorkloadPhase.Admitted, free.Find("g")!.Phase); // preferred only: climbs to the top, then anywhere
    }

    [Fact]
    public void PreferredWiderThanRequired_StaysInsideTheRequiredLevel()
    {
        // Prefers a block but requires a rack: inside block b1 alone bestfit would take b1-r1-n1 and b1-r2-n1.
        var s = Cluster([Block, Rack, Host], Used);
        s.Submit(Gang(2, 4, Block, Rack));
        s.Schedule();
        Assert.Equal(1, RacksOf(NodesOf(s)));

        var noLevels = Cluster([], Used);
        noLevels.Submit(Gang(2, 4, Block, Rack));
        noLevels.Schedule();
        Assert.Equal(1, RacksOf(NodesOf(noLevels))); // without levels the block's domains are cut by the rack
    }

    [Fact]
    public void PreferredLevelNotNestedInTheRequiredOne_IsCutByIt()
    {
        // A label "row" that crosses racks (n1 nodes of every rack in row a, n2 in row b): preferring a row must
        // not take the set out of its required rack.
        var nodes = new List<Node>();
        foreach (var r in new[] { "r1", "r2" })
        {
            foreach (var n in new[] { "n1", "n2" })
            {
                nodes.Add(Make.Node($"{r}-{n}").Cpu(64_000).Memory(512 * 1024).Gpus(8).Label(Rack, r).Label("row", n == "n1" ? "a" : "b").Build());
            }
        }

        var config = new QueueConfiguration { Flavors = [new Flavor("default")], Queues = [Make.Queue("q").Gpus(64).Build()] };
        var s = new AdmissionScheduler(nodes, config, new AdmissionOptions { PlacementPolicy = "bestfit" }, new ManualTime());
        var other = new Pod { Name = "other", CpuMilli = 1000, MemoryMiB = 1024, GpuMilli = Limits.GpuMilliPerGpu, GpuCount = 4 };
        Assert.True(s.Withhold("r1-n1", other, 0x0F));
        Assert.True(s.Withhold("r2-n1", other, 0x0F));
        s.Submit(Gang(2, 4, "row", Rack));
        s.Schedule();
        var placed = NodesOf(s);
        Assert.Equal(2, placed.Length);
        Assert.Single(placed.Select(n => n[..2]).Distinct()); // one rack, though row a (r1-n1 and r2-n1, 4 free each) is the tightest row
    }

    [Fact]
    public void RequiredHostname_UnlabelledNodes_AreEachTheirOwnDomain()
    {
        var s = Cluster([Block, Rack, Host], Used);
        s.Submit(Gang(2, 4, null, Host));
        s.Schedule();
        Assert.Equal(WorkloadPhase.Pending, s.Find("g")!.Phase); // no node has 8 free

        var empty = Cluster([Block, Rack, Host]);
        empty.Submit(Gang(2, 4, null, Host));
        empty.Schedule();
        Assert.Single(NodesOf(empty).Distinct());
    }

    [Theory]
    [InlineData(new[] { Block, Rack, Host }, Host, null, new[] { Host, Rack, Block })]
    [InlineData(new[] { Block, Rack, Host }, Host, Block, new[] { Host, Rack })]
    [InlineData(new[] { Block, Rack, Host }, Rack, Rack, new string[0])]
    [InlineData(new[] { Block, Rack, Host }, Block, Rack, new string[0])]
    [InlineData(new string[0], Host, null, new[] { Host })]
    [InlineData(new[] { Block, Rack }, "row", Block, new[] { "row" })]
    public void Chain_ClimbsFromThePreferredLevel_StoppingBelowTheRequiredOne(string[] levels, string preferred, string? required, string[] expected)
    {
        var set = new PodSet("w", 1, new Pod { Name = "w" }) { PreferredTopology = [preferred], TopologyKey = required };
        Assert.Equal(expected, TopologyChain.Preferred(set, new Flavor("f") { TopologyLevels = levels }));
    }
}
