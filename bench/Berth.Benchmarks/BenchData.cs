using Berth.Engine.Fragmentation;
using Berth.Engine.Framework;
using Berth.Engine.Policies;
using Berth.Model;
using Berth.Simulation.Generation;
using Berth.Simulation.Inflation;
using Berth.Simulation.Input;
using Berth.Simulation.Traces;

namespace Berth.Benchmarks;

/// <summary>Shared inputs: the openb trace (located by walking up from the binary) and mid-run cluster states.</summary>
public static class BenchData
{
    public const string NodeList = "openb_node_list_gpu_node.csv";
    public const string DefaultPods = "openb_pod_list_default.csv";

    private static SimulationInput? _openb;

    /// <summary>The openb trace folder: walks up from the binary (and the working directory) to a folder holding <c>shared/traces/openb</c>.</summary>
    public static string FindOpenb()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "traces", "openb");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }

                if (File.Exists(Path.Combine(dir.FullName, "Berth.slnx")) && dir.Parent is { } parent)
                {
                    var beside = Path.Combine(parent.FullName, "shared", "traces", "openb");
                    if (Directory.Exists(beside))
                    {
                        return beside;
                    }
                }
            }
        }

        throw new DirectoryNotFoundException(
            $"openb trace not found: looked for shared/traces/openb above {AppContext.BaseDirectory} and {Environment.CurrentDirectory}, " +
            "and beside the folder holding Berth.slnx; put the trace at <repo-parent>/shared/traces/openb");
    }

    /// <summary>The default openb trace on the 1,213 GPU nodes, read once per process.</summary>
    public static SimulationInput Openb()
    {
        if (_openb is null)
        {
            var dir = FindOpenb();
            _openb = OpenbTrace.Read(Path.Combine(dir, NodeList), Path.Combine(dir, DefaultPods));
        }

        return _openb;
    }

    /// <summary>A generated cluster and its own workload (seed 1), as the scaling runs use.</summary>
    public static SimulationInput Generated(int nodes) => WorkloadGenerator.Generate(new GeneratorOptions { Nodes = nodes, Seed = 1 });

    /// <summary>
    /// Builds the cluster of <paramref name="input"/>, a placer for <paramref name="policy"/>, and the inflation
    /// sequence (130% target, <paramref name="seed"/>); places pods from it until arrived GPU demand reaches
    /// <paramref name="fillPercent"/>% of capacity. The rest of the sequence is what comes next.
    /// </summary>
    public static MidRun Fill(SimulationInput input, string policy, int seed, double fillPercent)
    {
        var target = TargetWorkload.FromPods(input.PodSpecs, 0.95);
        var sequence = InflationExperiment.BuildSequence(input.PodSpecs, input.GpuCapacityMilli, 130, seed);
        var cluster = new ClusterState(input.Nodes);
        var context = new PluginContext(cluster, target);
        var placer = new Placer(PlacementPolicies.Get(policy), context, seed);
        var goal = cluster.TotalGpuMilli * fillPercent / 100;
        long arrived = 0;
        var next = 0;
        var placed = new List<(Pod Pod, int Node, int Mask)>();
        while (next < sequence.Count && arrived < goal)
        {
            var pod = sequence[next++];
            var result = placer.Place(pod);
            arrived += pod.GpuDemandMilli;
            if (result.Placed)
            {
                placed.Add((pod, result.NodeIndex, result.GpuMask));
            }
        }

        return new MidRun(input, placer, sequence, next, arrived, placed);
    }

    public static string Describe(IEnumerable<Pod> pods)
    {
        int cpu = 0, sharing = 0, whole = 0, multi = 0;
        foreach (var p in pods)
        {
            if (p.GpuCount == 0) cpu++;
            else if (p.GpuCount == 1 && p.GpuMilli < 1000) sharing++;
            else if (p.GpuCount == 1) whole++;
            else multi++;
        }

        return $"cpu-only {cpu}, sharing {sharing}, whole {whole}, multi-GPU {multi}";
    }
}

/// <summary>A cluster part-way through an inflation run.</summary>
public sealed record MidRun(SimulationInput Input, Placer Placer, IReadOnlyList<Pod> Sequence, int Next, long ArrivedMilli, IReadOnlyList<(Pod Pod, int Node, int Mask)> Placed)
{
    public double ArrivedPercent => 100.0 * ArrivedMilli / Placer.Cluster.TotalGpuMilli;

    public double AllocatedPercent => 100.0 * Placer.Cluster.AllocatedGpuMilli / Placer.Cluster.TotalGpuMilli;

    /// <summary>The next <paramref name="count"/> pods of the sequence (wrapping to its start if it runs out).</summary>
    public Pod[] NextPods(int count) => Enumerable.Range(0, count).Select(i => Sequence[(Next + i) % Sequence.Count]).ToArray();
}
