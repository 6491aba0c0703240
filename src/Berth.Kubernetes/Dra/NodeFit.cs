namespace Berth.Kubernetes.Dra;

/// <summary>
/// Whether a pod's unallocated claims fit one node: the devices chosen per claim (in the pod's claim order), else why
/// not (<see cref="Shortfall"/>, the node may free up), or an <see cref="Error"/> that no node can cure (a selector failing).
/// </summary>
internal sealed record NodeFit(IReadOnlyList<IReadOnlyList<DeviceChoice>> Choices, string? Shortfall, string? Error)
{
    public bool Fits => Shortfall is null && Error is null;
}
