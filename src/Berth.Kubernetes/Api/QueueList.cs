using k8s.Models;

namespace Berth.Kubernetes.Api;

/// <summary>A list of <see cref="Queue"/> objects, as the API server returns it (<c>GET .../queues</c>).</summary>
[KubernetesEntity(Group = Queue.KubeGroup, Kind = KubeKind, ApiVersion = Queue.KubeApiVersion, PluralName = Queue.KubePluralName)]
public sealed record QueueList() : BerthObjectList<Queue>(KubeKind)
{
    public const string KubeKind = "QueueList";
}
