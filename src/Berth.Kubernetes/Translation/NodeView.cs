namespace Berth.Kubernetes.Translation;

/// <summary>
/// A Kubernetes node as Berth sees it: the model's <see cref="Model.Node"/> (capacity, GPU model, labels,
/// taints) and its health. <see cref="Node"/> keeps every GPU the node reports, so that the GPUs of pods
/// already bound there keep their indices; new pods must not be placed on <see cref="UnhealthyGpus"/>, nor
/// anywhere on the node when <see cref="Schedulable"/> is false.
/// </summary>
public sealed record NodeView
{
    public required Model.Node Node { get; init; }

    /// <summary>False when the node is cordoned, not Ready, or its GPUs are tainted unhealthy.</summary>
    public required bool Schedulable { get; init; }

    /// <summary>Why <see cref="Schedulable"/> is false, for explanations; null when it is true.</summary>
    public string? UnschedulableReason { get; init; }

    /// <summary>Indices (ascending) of the GPUs that must not receive new pods; all of them when <see cref="GpusUnhealthy"/>.</summary>
    public IReadOnlyList<int> UnhealthyGpus { get; init; } = [];

    /// <summary>True when the node carries the taint <c>nvidia.com/gpu=unhealthy</c> (NoSchedule or NoExecute): every GPU is out.</summary>
    public bool GpusUnhealthy { get; init; }

    /// <summary>The termination taint the node carries (for example <c>aws-node-termination-handler/spot-itn</c>), or null; see <see cref="TerminationTaints"/>.</summary>
    public string? TerminationNotice { get; init; }

    /// <summary>What was ignored or assumed while reading the node (an out-of-range unhealthy index, a missing GPU model, ...).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>GPUs that may receive new pods.</summary>
    public int HealthyGpuCount => Node.GpuCount - UnhealthyGpus.Count;
}
