using Berth.Model;

namespace Berth.Simulation.Input;

/// <summary>A cluster and a workload to run through the engine, with the name reports use for them.</summary>
public sealed record SimulationInput(string Name, IReadOnlyList<Node> Nodes, IReadOnlyList<TracePod> Pods)
{
    public IReadOnlyList<Pod> PodSpecs { get; } = Pods.Select(p => p.Pod).ToArray();

    public long GpuCapacityMilli => Nodes.Sum(n => (long)n.GpuCount) * Limits.GpuMilliPerGpu;
}
