using Berth.Model.Queueing;

namespace Berth.Runtime.View;

/// <summary>
/// A cluster as the decision loop sees it, whatever runs it (Kubernetes objects, a snapshot file, the embedded
/// server's store): the queueing configuration, the nodes with their health, the capacity held by others, and
/// the workloads with their lifecycle state. Built by a driver's translator; read, never changed, by
/// <see cref="Cycle.DecisionCycle"/>.
/// </summary>
public sealed record ClusterView
{
    /// <summary>The instant the view was taken: every time in it is read against this one.</summary>
    public required DateTimeOffset Now { get; init; }

    public QueueConfiguration Configuration { get; init; } = new();

    /// <summary>Every node, in name order.</summary>
    public IReadOnlyList<ViewNode> Nodes { get; init; } = [];

    /// <summary>
    /// Bound pods that belong to no running workload of Berth's: other schedulers' pods, DaemonSets, pods still
    /// terminating, pods of a workload that cannot be tried. They hold what they hold. Ordered by key.
    /// </summary>
    public IReadOnlyList<HeldCapacity> Held { get; init; } = [];

    /// <summary>Every workload, in id order.</summary>
    public IReadOnlyList<ViewWorkload> Workloads { get; init; } = [];

    /// <summary>Evictions per queue within the disruption window, kept between cycles by the driver.</summary>
    public IReadOnlyList<QueueDisruptions> RecentDisruptions { get; init; } = [];

    /// <summary>Things the translator could not make sense of (never stop a cycle).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
