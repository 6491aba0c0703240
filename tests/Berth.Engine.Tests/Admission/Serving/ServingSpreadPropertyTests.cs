using Berth.Engine.Admission;
using Berth.Model;
using Berth.Model.Queueing;
using Berth.TestKit;
using CsCheck;

namespace Berth.Engine.Tests.Admission.Serving;

/// <summary>
/// Spread placement over random clusters (zones of racks of nodes, labels sometimes missing, GPUs already taken) and
/// random services (replica size, count, policy), replicas submitted one per cycle. Checked independently of the
/// engine: each replica lands on a node whose (zone, rack, node) count of its service was the least among the nodes
/// with room for it; as many replicas start as when packed like training; and they cover at least as many zones and
/// nodes as packing does.
/// </summary>
public sealed class ServingSpreadPropertyTests
{
    private static readonly int Iterations = PropertyRuns.Iterations(300);

    private static readonly string[] Policies = ["bestfit", "fgd", "dotprod", "gpupacking", "gpuclustering"];

    [Fact]
    public void Schedule_RandomClustersAndServices_SpreadsAtLeastAsWellAsPacking()
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
        var labelled = random.Next(3) > 0;
        var (zones, racks) = (random.Next(1, 4), random.Next(1, 3));
        for (var z = 0; z < zones; z++)
        {
            for (var r = 0; r < racks; r++)
            {
                for (var n = 0; n < random.Next(1, 4); n++)
                {
                    var node = Make.Node($"z{z}-r{r}-n{n}").Cpu(64_000).Memory(512 * 1024).Gpus(8);
                    nodes.Add((labelled ? node.Label(TopologyKeys.Zone, $"z{z}").Label(TopologyKeys.Rack, $"z{z}-r{r}") : node).Build());
                }
            }
        }

        var taken = nodes.Select(_ => random.Next(0, 9)).ToArray();
        var gpus = new[] { 1, 2, 4, 8 }[random.Next(4)];
        var replicas = random.Next(1, 10);
        var policy = Policies[random.Next(Policies.Length)];
        var what = $"{replicas} replicas of {gpus} GPUs, {policy}, {nodes.Count} nodes, labels {labelled}";

        var spread = Place(nodes, taken, policy, "svc", gpus, replicas, out var violation);
        if (violation is not null)
        {
            return $"{what}: {violation}";
        }

        var packed = Place(nodes, taken, policy, null, gpus, replicas, out _);
        if (spread.Count != packed.Count)
        {
            return $"{what}: {spread.Count} replicas started spread, {packed.Count} packed";
        }

        string Zone(int n) => nodes[n].Labels.GetValueOrDefault(TopologyKeys.Zone) ?? nodes[n].Name;
        if (spread.Select(Zone).Distinct().Count() < packed.Select(Zone).Distinct().Count())
        {
            return $"{what}: spread covers fewer zones than packing";
        }

        if (!labelled && spread.Distinct().Count() < packed.Distinct().Count())
        {
            return $"{what}: spread covers fewer nodes than packing";
        }

        return null;
    }

    /// <summary>The nodes the replicas started on; checks each choice against the fewest-count rule on the way.</summary>
    private static List<int> Place(List<Node> nodes, int[] taken, string policy, string? group, int gpus, int replicas, out string? violation)
    {
        violation = null;
        var config = new QueueConfiguration { Flavors = [new Flavor("default")], Queues = [Make.Queue("q").Gpus(1000).Build()] };
        var s = new AdmissionScheduler(nodes, config, new AdmissionOptions { PlacementPolicy = policy }, new ManualTime());
        var free = new int[nodes.Count];
        for (var n = 0; n < nodes.Count; n++)
        {
            free[n] = 8;
            if (taken[n] > 0 && s.Withhold(nodes[n].Name, new Pod { Name = "other", CpuMilli = 1000, MemoryMiB = 1024, GpuCount = taken[n], GpuMilli = Limits.GpuMilliPerGpu }, (1 << taken[n]) - 1))
            {
                free[n] -= taken[n];
            }
        }

        var placed = new List<int>();
        for (var i = 0; i < replicas; i++)
        {
            s.Submit(ServingSpreadTests.Replica($"r{i}", group, gpus));
            s.Schedule();
            var state = s.Find($"r{i}")!;
            var withRoom = Enumerable.Range(0, nodes.Count).Where(n => free[n] >= gpus).ToArray();
            if (state.Phase != WorkloadPhase.Admitted)
            {
                violation ??= withRoom.Length > 0 ? $"replica {i} waits while {nodes[withRoom[0]].Name} has room" : null;
                continue;
            }

            var chosen = state.Pods[0].Node;
            if (group is not null && violation is null)
            {
                var best = withRoom.Min(n => Key(nodes, placed, n));
                if (Key(nodes, placed, chosen) != best)
                {
                    violation = $"replica {i} went to {nodes[chosen].Name} (counts {Key(nodes, placed, chosen)}) while a node with counts {best} had room";
                }
            }

            free[chosen] -= gpus;
            placed.Add(chosen);
        }

        return placed;
    }

    /// <summary>Replicas already in node <paramref name="n"/>'s zone, rack and on it, as one comparable tuple (missing labels count 0).</summary>
    private static (int Zone, int Rack, int Node) Key(List<Node> nodes, List<int> placed, int n)
    {
        int Same(string key) => nodes[n].Labels.TryGetValue(key, out var v) ? placed.Count(p => nodes[p].Labels.GetValueOrDefault(key) == v) : 0;
        return (Same(TopologyKeys.Zone), Same(TopologyKeys.Rack), placed.Count(p => p == n));
    }
}
