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

    public ResourceQuota? this[ResourceKind kind] => kind switch
    {
        ResourceKind.Cpu => Cpu,
        ResourceKind.Memory => Memory,
        ResourceKind.Gpu => Gpu,
        _ => null,
    };
}
