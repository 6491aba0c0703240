using k8s.Models;

namespace Berth.Kubernetes.Api;

/// <summary>
/// A named kind of capacity (Kueue ResourceFlavor; cluster-scoped): the nodes carrying all of
/// <c>spec.nodeLabels</c>. Pods admitted in the flavor are steered to those nodes and tolerate <c>spec.tolerations</c>.
/// </summary>
[KubernetesEntity(Group = KubeGroup, Kind = KubeKind, ApiVersion = KubeApiVersion, PluralName = KubePluralName)]
public sealed record Flavor() : BerthObject<FlavorSpec, FlavorStatus>(KubeKind)
{
    public const string KubeKind = "Flavor";
    public const string KubePluralName = "flavors";
    public const string KubeGroup = KubernetesNames.Group;
    public const string KubeApiVersion = KubernetesNames.Version;
}
