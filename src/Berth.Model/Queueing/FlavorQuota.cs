namespace Berth.Model.Queueing;

/// <summary>
/// The quota a queue or cohort holds in one flavor. A resource left null is not limited by this queue
/// (any amount fits its quota); a resource given is limited by its nominal quota and what may be borrowed.
/// </summary>
public sealed record FlavorQuota(string Flavor)
{
    public ResourceQuota? Cpu { get; init; }

    public ResourceQuota? Memory { get; init; }

    public ResourceQuota? Gpu { get; init; }

    /// <summary>
    /// Nominal quotas of device resources by name (<c>nvidia.com/mig-1g.10gb</c>: instances, <c>nvidia.com/gpu.shared</c>:
    /// replicas, <c>berth.dev/gpu-memory</c>: MiB; see <see cref="DeviceAmounts"/>). A queue's own cap: it neither borrows
    /// nor lends these. A name not listed is not limited.
    /// </summary>
    public IReadOnlyDictionary<string, long> Devices { get; init; } = new Dictionary<string, long>(0);

    /// <summary>Value equality, <see cref="Devices"/> compared by content (a record would compare the dictionary's reference).</summary>
    public bool Equals(FlavorQuota? other) =>
        other is not null && Flavor == other.Flavor && Cpu == other.Cpu && Memory == other.Memory && Gpu == other.Gpu
        && Devices.Count == other.Devices.Count && Devices.All(kv => other.Devices.TryGetValue(kv.Key, out var v) && v == kv.Value);

    public override int GetHashCode() => HashCode.Combine(Flavor, Cpu, Memory, Gpu, Devices.Count);

    public ResourceQuota? this[ResourceKind kind] => kind switch
    {
        ResourceKind.Cpu => Cpu,
        ResourceKind.Memory => Memory,
        ResourceKind.Gpu => Gpu,
        _ => null,
    };
}
