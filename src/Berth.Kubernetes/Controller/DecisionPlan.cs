using Berth.Engine.Admission;

namespace Berth.Kubernetes.Controller;

/// <summary>
/// Everything one decision cycle wants done, as values: the writes in the order they must happen (free
/// capacity first, then admission records, then bindings), the events, and what the metrics report.
/// Planning is pure (snapshot in, plan out); <see cref="PlanExecutor"/> makes the calls.
/// </summary>
public sealed class DecisionPlan
{
    public List<StatusAction> ObjectStatuses { get; } = [];

    /// <summary>Pods asked to checkpoint because their node is reclaimed; written first, so that they learn it before they are stopped.</summary>
    public List<CheckpointPodAction> Checkpoints { get; } = [];

    public List<SuspendJobAction> Suspensions { get; } = [];

    public List<EvictPodAction> Evictions { get; } = [];

    public List<AdmitJobAction> JobAdmissions { get; } = [];

    public List<AnnotateAction> Annotations { get; } = [];

    public List<BindAction> Bindings { get; } = [];

    public List<UnschedulableAction> Unschedulable { get; } = [];

    public List<EventAction> Events { get; } = [];

    /// <summary>
    /// Warning events about input Berth ignored in an object (a bad annotation, a field it does not model): the
    /// decision finds them every time, so the executor records each (object, message) once, not every decision.
    /// </summary>
    public List<EventAction> Notices { get; } = [];

    /// <summary>Where every workload stands after this decision (running or waiting, with reason and position), in planning order.</summary>
    public List<WorkloadOutcome> Outcomes { get; } = [];

    /// <summary>Berth's GPU-health condition to set on nodes (telemetry marked or cleared GPUs); best effort, not counted in <see cref="WriteCount"/>.</summary>
    public List<NodeConditionAction> NodeConditions { get; } = [];

    /// <summary>Pending workloads by queue and reason code.</summary>
    public Dictionary<(string Queue, string Reason), int> Pending { get; } = [];

    /// <summary>Admitted workloads by queue.</summary>
    public Dictionary<string, int> Admitted { get; } = new(StringComparer.Ordinal);

    /// <summary>Running workloads found idle under their queue's idle-GPU policy, by queue.</summary>
    public Dictionary<string, int> Idle { get; } = new(StringComparer.Ordinal);

    /// <summary>GPUs of running workloads by queue: allocated, used (weighted by measured activity) and idle-allocated (allocated, measured not busy).</summary>
    public Dictionary<string, (double Allocated, double Used, double IdleAllocated)> Yield { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Each GPU share held by the bound pods of running workloads that carry Berth's GPU assignment (one entry per pod
    /// and GPU), with the workload's mean activity; the per-GPU gauge and showback read it. Pods placed without an
    /// assignment (another scheduler) are in <see cref="Yield"/> but not here: which GPU they hold is not known.
    /// </summary>
    public List<HeldGpu> HeldGpus { get; } = [];

    /// <summary>The cohort of each queue that has one (cohort yield gauges sum their queues' <see cref="Yield"/>).</summary>
    public Dictionary<string, string> Cohorts { get; } = new(StringComparer.Ordinal);

    /// <summary>Seconds each workload admitted in this cycle waited since its creation.</summary>
    public List<double> AdmissionWaits { get; } = [];

    /// <summary>Quota usage and nominal quota per queue, flavor and resource (GPU in GPUs, CPU in cores, memory in bytes).</summary>
    public List<(string Queue, string Flavor, string Resource, double Used, double Nominal)> Quota { get; } = [];

    public double GpuAllocationRatio { get; set; }

    public double GpuFragmentationRatio { get; set; }

    public int UnhealthyGpus { get; set; }

    /// <summary>Healthy GPUs of all nodes: the denominator of yield (used / capacity).</summary>
    public double GpuCapacity { get; set; }

    /// <summary>Things in the cluster Berth could not make sense of (shown in logs; never stop a cycle).</summary>
    public List<string> Warnings { get; } = [];

    /// <summary>Reasons of the workloads sent back to their queues in this cycle (one entry each).</summary>
    public List<string> EvictionReasons { get; } = [];

    /// <summary>The engine the plan came from (for what-if and tests); null when no valid configuration exists.</summary>
    public AdmissionScheduler? Engine { get; set; }

    public int WriteCount => ObjectStatuses.Count + Checkpoints.Count + Suspensions.Count + Evictions.Count + JobAdmissions.Count + Annotations.Count + Bindings.Count + Unschedulable.Count;
}
