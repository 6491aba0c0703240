namespace Berth.Kubernetes.Dra;

/// <summary>One device chosen for one request of a claim: the entry of <c>status.allocation.devices.results</c>.</summary>
public sealed record DeviceChoice(string Request, string Driver, string Pool, string Device)
{
    public string Id => DraDevice.IdOf(Driver, Pool, Device);
}
