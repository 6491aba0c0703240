using Berth.Engine.Admission;
using Berth.Model;
using Berth.Model.Queueing;
using Berth.TestKit;
using CsCheck;

namespace Berth.Engine.Tests.Admission;

/// <summary>
/// Multi-level topology over random clusters (blocks of racks of nodes, random GPUs already taken) and random gangs
/// (a required level, a preferred level, or both): the required level is never left; when a domain of the preferred
/// level (or of a wider one below the required) has room, the gang is inside one; and a gang that some required
/// domain can hold is admitted. Room is counted independently of the engine: whole-GPU pods per node's free GPUs.
/// </summary>
public sealed class MultiLevelTopologyPropertyTests
{
    private static readonly int Iterations = PropertyRuns.Iterations(300);

    private static readonly string[] Levels = [TopologyKeys.Block, TopologyKeys.Rack, TopologyKeys.Hostname];

    private static readonly string[] Policies = ["bestfit", "fgd", "dotprod", "gpupacking", "gpuclustering"];

    [Fact]
    public void Schedule_RandomClustersAndGangs_KeepsRequiredAndHonoursPreferred()
    {
        Gen.Int[1, int.MaxValue].Sample(seed =>
        {
            var violation = Run(seed);
            Assert.True(violation is null, $"seed {seed}: {violation}");
        }, iter: Iterations);
    }

    private static string? Run(int seed)
    {
        var random = new Random(seed);
        var nodes = new List<Node>();
        var free = new Dictionary<string, int>(StringComparer.Ordinal);
        var (blocks, racks) = (random.Next(1, 4), random.Next(1, 4));
        for (var b = 0; b < blocks; b++)
        {
            for (var r = 0; r < racks; r++)
            {
                var size = random.Next(1, 4);
                for (var n = 0; n < size; n++)
                {
                    var name = $"b{b}-r{r}-n{n}";
                    nodes.Add(Make.Node(name).Cpu(64_000).Memory(512 * 1024).Gpus(8).Label(TopologyKeys.Block, $"b{b}").Label(TopologyKeys.Rack, $"b{b}-r{r}").Build());
                    free[name] = 8;
                }
            }
        }

        var config = new QueueConfiguration { Flavors = [new Flavor("default") { TopologyLevels = Levels }], Queues = [Make.Queue("q").Gpus(1000).Build()] };
        var policy = Policies[random.Next(Policies.Length)];
        var s = new AdmissionScheduler(nodes, config, new AdmissionOptions { PlacementPolicy = policy }, new ManualTime());
        foreach (var node in nodes)
        {
            var used = random.Next(0, 9);
            if (used > 0 && s.Withhold(node.Name, new Pod { Name = "other", CpuMilli = 1000, MemoryMiB = 1024, GpuCount = used, GpuMilli = Limits.GpuMilliPerGpu }, (1 << used) - 1))
            {
                free[node.Name] -= used;
            }
        }

        var gpus = new[] { 1, 2, 4, 8 }[random.Next(4)];
        var count = random.Next(1, 6);
        var required = random.Next(4) is var ri && ri < Levels.Length ? ri : -1;
        var preferred = random.Next(4) is var pi && pi < Levels.Length ? pi : -1;
        var w = Make.Workload("g").In("q").Pods(count, gpus: gpus).Build();
        s.Submit(w with
        {
            PodSets = [w.PodSets[0] with { TopologyKey = required < 0 ? null : Levels[required], PreferredTopology = preferred < 0 ? [] : [Levels[preferred]] }],
        });
        s.Schedule();

        var state = s.Find("g")!;
        var placed = state.Phase == WorkloadPhase.Admitted ? state.Pods.Select(p => nodes[p.Node]).ToArray() : null;
        var what = $"{count} x {gpus} GPUs, required {(required < 0 ? "none" : Levels[required])}, preferred {(preferred < 0 ? "none" : Levels[preferred])}, {policy}, {nodes.Count} nodes";

        bool Fits(IEnumerable<Node> domain) => domain.Sum(n => free[n.Name] / gpus) >= count;
        bool AnyDomainFits(int level) => nodes.GroupBy(n => Value(n, Levels[level])).Any(Fits);
        bool InOne(int level) => placed!.Select(n => Value(n, Levels[level])).Distinct().Count() == 1;

        var mustFit = required < 0 ? Fits(nodes) : AnyDomainFits(required);
        if (mustFit != (placed is not null))
        {
            return $"{what}: {(mustFit ? "a domain has room but the gang waits" : "no domain has room but the gang was admitted")}";
        }

        if (placed is null)
        {
            return null;
        }

        if (required >= 0 && !InOne(required))
        {
            return $"{what}: the gang left its required {Levels[required]}";
        }

        // From the preferred level up to (not including) the required one: the first level with room holds the gang.
        for (var level = preferred; level > required; level--)
        {
            if (AnyDomainFits(level))
            {
                return InOne(level) ? null : $"{what}: a {Levels[level]} domain has room but the gang spans several";
            }
        }

        return null;
    }

    private static string Value(Node node, string key) => node.Labels.TryGetValue(key, out var value) ? value : node.Name;
}
