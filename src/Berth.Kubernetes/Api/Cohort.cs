using k8s.Models;

namespace Berth.Kubernetes.Api;

/// <summary>
/// Queues (and child cohorts) that lend to and borrow from each other (cluster-scoped). Cohorts form a
/// tree through <c>spec.parent</c>; a cohort may hold quota of its own, which its members may borrow.
/// </summary>
[KubernetesEntity(Group = KubeGroup, Kind = KubeKind, ApiVersion = KubeApiVersion, PluralName = KubePluralName)]
public sealed record Cohort() : BerthObject<CohortSpec, CohortStatus>(KubeKind)
{
    public const string KubeKind = "Cohort";
    public const string KubePluralName = "cohorts";
    public const string KubeGroup = KubernetesNames.Group;
    public const string KubeApiVersion = KubernetesNames.Version;
}
