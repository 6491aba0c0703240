using k8s.Models;

namespace Berth.Kubernetes.Api;

/// <summary>
/// A gang of plain pods (namespaced): the pods labelled <c>scheduling.x-k8s.io/pod-group: &lt;name&gt;</c> are
/// admitted together, at least <c>spec.minMember</c> of them, or not at all.
/// </summary>
[KubernetesEntity(Group = KubeGroup, Kind = KubeKind, ApiVersion = KubeApiVersion, PluralName = KubePluralName)]
public sealed record PodGroup() : BerthObject<PodGroupSpec, PodGroupStatus>(KubeKind)
{
    public const string KubeKind = "PodGroup";
    public const string KubePluralName = "podgroups";
    public const string KubeGroup = KubernetesNames.Group;
    public const string KubeApiVersion = KubernetesNames.Version;
}
