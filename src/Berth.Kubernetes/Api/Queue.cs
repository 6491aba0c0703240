using k8s.Models;

namespace Berth.Kubernetes.Api;

/// <summary>
/// A quota holder (cluster-scoped, <c>kubectl get queues</c>): its flavors in the order they are tried with
/// nominal quota, borrowing and lending limits, its cohort, fair-share weight, priority, queueing strategy,
/// stop policy, preemption policies and disruption budget. Translated to the model by <c>QueueTranslator</c>.
/// </summary>
[KubernetesEntity(Group = KubeGroup, Kind = KubeKind, ApiVersion = KubeApiVersion, PluralName = KubePluralName)]
public sealed record Queue() : BerthObject<QueueSpec, QueueStatus>(KubeKind)
{
    public const string KubeKind = "Queue";
    public const string KubePluralName = "queues";
    public const string KubeGroup = KubernetesNames.Group;
    public const string KubeApiVersion = KubernetesNames.Version;
}
