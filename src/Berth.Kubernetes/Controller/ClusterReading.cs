using Berth.Model;
using Berth.Model.Queueing;

namespace Berth.Kubernetes.Controller;

/// <summary>
/// What a snapshot says, read the way the controller reads it, without deciding anything: the queueing
/// configuration (valid objects only), every node (unusable ones carry <see cref="KubernetesNames.UnusableTaint"/>),
/// and the workloads (running ones with where their pods are, pending ones in creation order).
/// </summary>
public sealed record ClusterReading(
    QueueConfiguration Configuration,
    IReadOnlyList<Node> Nodes,
    IReadOnlyList<ReadWorkload> Workloads,
    IReadOnlyList<string> Warnings)
{
    /// <summary>
    /// Capacity no queue is charged for, as the engine withholds it: unhealthy GPUs, and bound pods that are
    /// not members of an admitted workload (other schedulers' pods, DaemonSets, ...), in node then pod order.
    /// </summary>
    public IReadOnlyList<HeldPod> Held { get; init; } = [];

    /// <summary>Running workloads the controller would take back and requeue (a pod on a node that is gone or not ready, or on an unhealthy GPU): id and why.</summary>
    public IReadOnlyDictionary<string, string> Requeued { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
}

/// <summary>
/// One workload of a <see cref="ClusterReading"/>. <see cref="Problem"/> is set when it cannot be tried (invalid,
/// no queue, a gang still missing members). <see cref="BoundPods"/>: (pod set, node, GPU indices) of its bound pods.
/// </summary>
public sealed record ReadWorkload(
    Workload Workload,
    string Kind,
    DateTimeOffset Created,
    bool Running,
    string? Flavor,
    DateTimeOffset? AdmittedAt,
    IReadOnlyList<(int PodSet, string Node, IReadOnlyList<int> Gpus)> BoundPods,
    string? Problem);
