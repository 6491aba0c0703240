using k8s.Models;

namespace Berth.Kubernetes.Api;

/// <summary>A list of <see cref="PodGroup"/> objects, as the API server returns it (<c>GET .../podgroups</c>).</summary>
[KubernetesEntity(Group = PodGroup.KubeGroup, Kind = KubeKind, ApiVersion = PodGroup.KubeApiVersion, PluralName = PodGroup.KubePluralName)]
public sealed record PodGroupList() : BerthObjectList<PodGroup>(KubeKind)
{
    public const string KubeKind = "PodGroupList";
}
