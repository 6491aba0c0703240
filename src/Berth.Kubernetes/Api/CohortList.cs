using k8s.Models;

namespace Berth.Kubernetes.Api;

/// <summary>A list of <see cref="Cohort"/> objects, as the API server returns it (<c>GET .../cohorts</c>).</summary>
[KubernetesEntity(Group = Cohort.KubeGroup, Kind = KubeKind, ApiVersion = Cohort.KubeApiVersion, PluralName = Cohort.KubePluralName)]
public sealed record CohortList() : BerthObjectList<Cohort>(KubeKind)
{
    public const string KubeKind = "CohortList";
}
