using k8s.Models;

namespace Berth.Kubernetes.Controller;

/// <summary>Everything one decision reads, taken at one moment from the cache (or from a snapshot file).</summary>
public sealed record ClusterSnapshot
{
    public required DateTimeOffset Now { get; init; }

    public IReadOnlyList<V1Node> Nodes { get; init; } = [];

    public IReadOnlyList<V1Pod> Pods { get; init; } = [];

    public IReadOnlyList<V1Job> Jobs { get; init; } = [];

    public IReadOnlyList<V1PriorityClass> PriorityClasses { get; init; } = [];

    public IReadOnlyList<Api.Queue> Queues { get; init; } = [];

    public IReadOnlyList<Api.Cohort> Cohorts { get; init; } = [];

    public IReadOnlyList<Api.Flavor> Flavors { get; init; } = [];

    public IReadOnlyList<Api.PodGroup> PodGroups { get; init; } = [];

    /// <summary>Namespaces with their labels (a Queue's namespaceSelector); one not listed has only its name label.</summary>
    public IReadOnlyList<V1Namespace> Namespaces { get; init; } = [];
}
