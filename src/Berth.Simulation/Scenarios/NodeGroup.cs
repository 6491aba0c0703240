using Berth.Model;
using Berth.Model.Gpus;

namespace Berth.Simulation.Scenarios;

/// <summary>A set of identical nodes in a scenario's cluster; nodes are named <c>{Name}-{i}</c>, i from 0.</summary>
public sealed record NodeGroup(string Name, int Count, int GpusPerNode, string? GpuModel, long CpuMilli, long MemoryMiB)
{
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>(0);

    public IReadOnlyList<Taint> Taints { get; init; } = [];

    /// <summary>How every node's GPUs are shared (time-slicing, MPS or a MIG layout); exclusive by default.</summary>
    public GpuSharing Sharing { get; init; } = GpuSharing.Exclusive;

    /// <summary>When set, consecutive nodes are grouped into racks of this many: label <see cref="TopologyKeys.Rack"/> = <c>{Name}-rack-{i / RackSize}</c>.</summary>
    public int? RackSize { get; init; }

    /// <summary>When set, consecutive nodes form NVLink domains of this many: label <see cref="TopologyKeys.NvlinkDomain"/>.</summary>
    public int? NvlinkDomainSize { get; init; }

    /// <summary>GPUs per NVLink island inside each node (<see cref="Node.NvlinkIslandSize"/>); null: one island.</summary>
    public int? NvlinkIslandSize { get; init; }

    /// <summary>The datasets every node of the group caches (scenario key <c>datasets</c>).</summary>
    public IReadOnlyList<string> Datasets { get; init; } = [];

    /// <summary>Every node's inside (<see cref="Node.Topology"/>); null: not described, placed as before.</summary>
    public NodeTopology? Topology { get; init; }

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
                Labels = LabelsOf(i),
                Taints = Taints,
                Sharing = Sharing,
                NvlinkIslandSize = NvlinkIslandSize,
                CachedDatasets = Datasets,
                Topology = Topology,
            };
        }
    }

    private IReadOnlyDictionary<string, string> LabelsOf(int i)
    {
        if (RackSize is null && NvlinkDomainSize is null)
        {
            return Labels;
        }

        var labels = new Dictionary<string, string>(Labels, StringComparer.Ordinal);
        if (RackSize is { } rack)
        {
            labels[TopologyKeys.Rack] = $"{Name}-rack-{i / rack}";
        }

        if (NvlinkDomainSize is { } domain)
        {
            labels[TopologyKeys.NvlinkDomain] = $"{Name}-nvl-{i / domain}";
        }

        return labels;
    }
}
