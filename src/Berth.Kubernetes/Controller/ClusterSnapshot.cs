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

    /// <summary>Objects of the job frameworks Berth admits (<see cref="Frameworks.FrameworkRegistry"/>), every kind together.</summary>
    public IReadOnlyList<Frameworks.FrameworkObject> Frameworks { get; init; } = [];

    /// <summary>Namespaces with their labels (a Queue's namespaceSelector); one not listed has only its name label.</summary>
    public IReadOnlyList<V1Namespace> Namespaces { get; init; } = [];

    /// <summary>
    /// How busy each pod's GPUs are (0..1) by <c>namespace/name</c>, from telemetry (Prometheus); a pod not here has
    /// unknown activity. Empty without telemetry: then no workload is ever idle.
    /// </summary>
    public IReadOnlyDictionary<string, double> GpuActivity { get; init; } = new Dictionary<string, double>(StringComparer.Ordinal);

    /// <summary>
    /// How busy each GPU is (0..1) by <c>node/index</c> (DCGM's <c>Hostname</c> and <c>gpu</c> labels), for the per-GPU
    /// gauge and the dashboard's GPU grid; a GPU not here has unknown activity. Empty without telemetry or per-GPU labels.
    /// </summary>
    public IReadOnlyDictionary<string, double> GpuActivityByGpu { get; init; } = new Dictionary<string, double>(StringComparer.Ordinal);

    /// <summary>
    /// GPUs that telemetry found unhealthy (DCGM XID, ECC, NVLink errors), as a mask of indices per node: withheld like
    /// those of the <c>berth.dev/unhealthy-gpus</c> annotation, and what runs on them is requeued. Empty without telemetry.
    /// </summary>
    public IReadOnlyDictionary<string, int> TelemetryUnhealthyGpus { get; init; } = new Dictionary<string, int>(StringComparer.Ordinal);

    /// <summary>Dynamic Resource Allocation objects (<c>resource.k8s.io/v1</c>); empty on a cluster without DRA.</summary>
    public Dra.DraObjects Dra { get; init; } = Berth.Kubernetes.Dra.DraObjects.Empty;
    /// <summary>True once telemetry has read GPU health at least once: only then does Berth set its node condition (never from no data).</summary>
    public bool TelemetryHealthKnown { get; init; }
}
