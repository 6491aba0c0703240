namespace Berth.Kubernetes.Translation;

/// <summary>
/// A Kubernetes pod as Berth sees it: the model's <see cref="Model.Pod"/> (its request, named
/// <c>namespace/name</c>), where it is, whether it runs, which queue, pod group and Job it belongs to, and
/// the GPUs Berth gave it when it was bound.
/// </summary>
public sealed record PodView
{
    /// <summary>The pod's request; <c>Pod.Name</c> is <see cref="Key"/>.</summary>
    public required Model.Pod Pod { get; init; }

    public required string Namespace { get; init; }

    public required string Name { get; init; }

    public string Uid { get; init; } = string.Empty;

    /// <summary><c>spec.nodeName</c>: the node it is bound to; null while unbound.</summary>
    public string? NodeName { get; init; }

    public string? SchedulerName { get; init; }

    /// <summary><c>status.phase</c> (<c>Pending</c> when absent).</summary>
    public string Phase { get; init; } = "Pending";

    /// <summary>Succeeded or Failed: it holds nothing any more.</summary>
    public bool Terminal { get; init; }

    /// <summary>The Ready condition is True.</summary>
    public bool Ready { get; init; }

    /// <summary>The queue from the label <c>berth.dev/queue</c>, else Kueue's <c>kueue.x-k8s.io/queue-name</c>.</summary>
    public string? Queue { get; init; }

    /// <summary>The pod group from the label (or annotation) <c>scheduling.x-k8s.io/pod-group</c>, else Volcano's annotation <c>scheduling.k8s.io/group-name</c>.</summary>
    public string? PodGroup { get; init; }

    /// <summary>The name of the batch/v1 Job that owns it (same namespace), if any.</summary>
    public string? OwnerJob { get; init; }

    public string? PriorityClassName { get; init; }

    public DateTime? CreationTimestamp { get; init; }

    /// <summary>From the annotation <c>berth.dev/expected-run-time</c>.</summary>
    public TimeSpan? ExpectedRunTime { get; init; }

    /// <summary>From <c>spec.activeDeadlineSeconds</c>.</summary>
    public TimeSpan? MaxRunTime { get; init; }

    /// <summary>From the annotation <c>berth.dev/checkpoint-interval</c>.</summary>
    public TimeSpan? CheckpointInterval { get; init; }

    /// <summary>False when the annotation <c>berth.dev/preemptible</c> is <c>"false"</c>.</summary>
    public bool Preemptible { get; init; } = true;

    /// <summary>The GPU indices Berth assigned on <see cref="NodeName"/> (annotation <c>berth.dev/gpu-indices</c>); empty when none.</summary>
    public IReadOnlyList<int> AssignedGpus { get; init; } = [];

    /// <summary>Milli-GPU per assigned GPU (annotation <c>berth.dev/gpu-milli</c>); 0 when none.</summary>
    public int AssignedGpuMilli { get; init; }

    /// <summary>The MIG instances Berth assigned on <see cref="NodeName"/> (annotation <c>berth.dev/mig-instances</c>); empty when none.</summary>
    public IReadOnlyList<Engine.Mig.MigPlacement> AssignedMigInstances { get; init; } = [];

    /// <summary>
    /// Set when Berth cannot place the pod as it asks (more GPUs than a node may have): the controller
    /// reports it and leaves the pod pending. Null for a pod Berth can consider.
    /// </summary>
    public string? Error { get; init; }

    /// <summary>What was ignored while reading the pod (a bad annotation, a toleration Berth cannot read, node affinity it does not model).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary><c>namespace/name</c>.</summary>
    public string Key => Namespace + "/" + Name;

    public bool IsBound => !string.IsNullOrEmpty(NodeName);

    /// <summary>True when GPU indices from Berth's assignment annotations are known.</summary>
    public bool HasAssignment => AssignedGpus.Count > 0 || AssignedMigInstances.Count > 0;

    /// <summary>The engine's placement mask of the assignment: MIG instances packed as the engine packs them, else a GPU bit mask; null when none is known.</summary>
    public int? AssignedMask => AssignedMigInstances.Count > 0 ? SharedAssignment.MaskOf(AssignedMigInstances)
        : AssignedGpus.Count > 0 ? Runtime.Lifecycle.Gpus.MaskOf(AssignedGpus) : null;

    /// <summary>True when <c>spec.schedulerName</c> is <c>berth</c>.</summary>
    public bool IsBerthScheduled => string.Equals(SchedulerName, KubernetesNames.SchedulerName, StringComparison.Ordinal);
}
