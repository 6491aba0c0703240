using k8s.Models;

namespace Berth.Kubernetes.Api;

/// <summary>A list of <see cref="Flavor"/> objects, as the API server returns it (<c>GET .../flavors</c>).</summary>
[KubernetesEntity(Group = Flavor.KubeGroup, Kind = KubeKind, ApiVersion = Flavor.KubeApiVersion, PluralName = Flavor.KubePluralName)]
public sealed record FlavorList() : BerthObjectList<Flavor>(KubeKind)
{
    public const string KubeKind = "FlavorList";
}
