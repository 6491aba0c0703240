using Berth.Model.Gpus;

namespace Berth.Model;

/// <summary>
/// A machine: CPU in milli-cores, memory in MiB, and <see cref="GpuCount"/> GPUs of one model.
/// Immutable; what is allocated on it lives in the engine's cluster state, not here.
/// </summary>
public sealed record Node
{
    public required string Name { get; init; }

    public required long CpuMilli { get; init; }

    public required long MemoryMiB { get; init; }

    /// <summary>Number of GPUs (0 for a CPU-only node).</summary>
    public int GpuCount { get; init; }

    /// <summary>The GPU model of every GPU on the node; null when it has none.</summary>
    public string? GpuModel { get; init; }

    /// <summary>Memory of one GPU in MiB (0 when unknown).</summary>
    public long GpuMemoryMiB { get; init; }

    /// <summary>How the node's GPUs are shared; exclusive unless the node declares time-slicing, MPS or MIG.</summary>
    public GpuSharing Sharing { get; init; } = GpuSharing.Exclusive;

    public IReadOnlyDictionary<string, string> Labels { get; init; } = EmptyLabels;

    public IReadOnlyList<Taint> Taints { get; init; } = [];

    /// <summary>
    /// GPUs per NVLink island (GPUs 0..k-1 are one island, k..2k-1 the next, ...), as on servers whose GPUs are
    /// linked in pairs or fours by NVLink bridges rather than all through NVSwitch; null: one island (or unknown).
    /// A multi-GPU pod gets GPUs inside one island when one has room.
    /// </summary>
    public int? NvlinkIslandSize { get; init; }

    /// <summary>
    /// The names of the datasets the node holds in its local cache (on Kubernetes, its <c>dataset.berth.dev/&lt;name&gt;</c>
    /// labels): a pod that reads one of them starts there without fetching it, and placement prefers such nodes.
    /// </summary>
    public IReadOnlyList<string> CachedDatasets { get; init; } = [];

    /// <summary>
    /// Where each GPU sits (NVLink island, PCIe switch, NUMA node) and the NUMA nodes' CPUs and memory; null when the
    /// node's description does not say, and the node is placed exactly as before topology existed.
    /// </summary>
    public NodeTopology? Topology { get; init; }

    internal static readonly IReadOnlyDictionary<string, string> EmptyLabels = new Dictionary<string, string>(0);

    /// <summary>Checks the node's own consistency; throws <see cref="ArgumentException"/> naming the field and the fix.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            throw new ArgumentException("node name is empty; give every node a unique name", nameof(Name));
        }

        if (CpuMilli < 0)
        {
            throw new ArgumentException($"node {Name}: cpu_milli is {CpuMilli}; it must be 0 or more", nameof(CpuMilli));
        }

        if (MemoryMiB < 0)
        {
            throw new ArgumentException($"node {Name}: memory_mib is {MemoryMiB}; it must be 0 or more", nameof(MemoryMiB));
        }

        if (GpuCount < 0 || GpuCount > Limits.MaxGpusPerNode)
        {
            throw new ArgumentException($"node {Name}: gpu count is {GpuCount}; it must be between 0 and {Limits.MaxGpusPerNode}", nameof(GpuCount));
        }

        if (GpuCount > 0 && string.IsNullOrEmpty(GpuModel))
        {
            throw new ArgumentException($"node {Name}: has {GpuCount} GPUs but no GPU model; set the model", nameof(GpuModel));
        }

        if (NvlinkIslandSize is { } island && (island < 1 || GpuCount == 0 || GpuCount % island != 0))
        {
            throw new ArgumentException($"node {Name}: nvlinkIslandSize is {island}; give a number of GPUs per island that divides its {GpuCount} GPUs (2 for pairs), or leave it out", nameof(NvlinkIslandSize));
        }

        if (CachedDatasets.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException($"node {Name}: a cached dataset has an empty name; list the names of the datasets it caches", nameof(CachedDatasets));
        }

        if (Topology is { } topology)
        {
            if (NvlinkIslandSize is not null)
            {
                throw new ArgumentException($"node {Name}: sets both nvlinkIslandSize and a topology; give the islands in the topology and remove nvlinkIslandSize", nameof(Topology));
            }

            if (topology.Problem(GpuCount) is { } wrong)
            {
                throw new ArgumentException($"node {Name}: {wrong}", nameof(Topology));
            }
        }

        if (Sharing.Problem(GpuCount, GpuModel, GpuMemoryMiB) is { } problem)
        {
            throw new ArgumentException($"node {Name}: {problem}", nameof(Sharing));
        }
    }
}
