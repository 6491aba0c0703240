using Berth.Model;

namespace Berth.Simulation.Scenarios;

/// <summary>A set of identical nodes in a scenario's cluster; nodes are named <c>{Name}-{i}</c>, i from 0.</summary>
public sealed record NodeGroup(string Name, int Count, int GpusPerNode, string? GpuModel, long CpuMilli, long MemoryMiB)
{
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>(0);

    public IReadOnlyList<Taint> Taints { get; init; } = [];

    public IEnumerable<Node> Expand()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return new Node
            {
                Name = $"{Name}-{i}",
                CpuMilli = CpuMilli,
                MemoryMiB = MemoryMiB,
                GpuCount = GpusPerNode,
                GpuModel = GpusPerNode > 0 ? GpuModel : null,
                Labels = Labels,
                Taints = Taints,
            };
        }
    }
}
