using Berth.Model.Queueing;

namespace Berth.Runtime.View;

/// <summary>One workload of a <see cref="ClusterView"/> with its lifecycle state.</summary>
public sealed record ViewWorkload
{
    public required string Id { get; init; }

    public required WorkloadKind Kind { get; init; }

    /// <summary>The workload to admit (a stand-in with its id and queue when <see cref="Problem"/> is set).</summary>
    public required Workload Workload { get; init; }

    public required DateTimeOffset Created { get; init; }

    /// <summary>True when the cluster says it runs (admitted and started).</summary>
    public bool Running { get; init; }

    /// <summary>What Berth wrote when admitting it (null: none, or not running).</summary>
    public AdmissionMemo? Memo { get; init; }

    /// <summary>Member pods, ordered by name.</summary>
    public IReadOnlyList<ViewPod> Members { get; init; } = [];

    /// <summary>Pods it needs before it can be tried (a group with fewer members than its minimum).</summary>
    public int MissingMembers { get; init; }

    /// <summary>Why it cannot be tried; null when it can.</summary>
    public ViewProblem? Problem { get; init; }

    /// <summary>Times it was requeued because its pods did not all become ready in time.</summary>
    public int Requeues { get; init; }

    /// <summary>When all its pods were first seen ready; null: not yet (the pods-ready timeout applies).</summary>
    public DateTimeOffset? PodsReadyAt { get; init; }

    /// <summary>
    /// How busy its GPUs are now, 0 to 1, as the driver's telemetry says (DCGM through Prometheus, nvidia-smi, a
    /// simulated executor's model); null: not known, never idle. A value outside 0 to 1 is ignored with a warning.
    /// </summary>
    public double? GpuActivity { get; init; }

    /// <summary>Its pods that are ready now or have succeeded.</summary>
    public int ReadyPods { get; init; }

    /// <summary>
    /// True when planned places of pods not bound yet stay reserved for them (Berth binds them). False for a Job whose
    /// pods another scheduler places: only bound pods hold capacity.
    /// </summary>
    public bool KeepsPlannedPlaces { get; init; } = true;

    /// <summary>The pods-ready timeout applies to it (a Job or a PodGroup: something with a memo that can be requeued).</summary>
    public bool TracksPodsReady => Kind is WorkloadKind.Job or WorkloadKind.PodGroup;
}
