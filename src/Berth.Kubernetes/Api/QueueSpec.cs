using System.Text.Json.Serialization;

namespace Berth.Kubernetes.Api;

/// <summary>
/// The desired state of a <see cref="Queue"/>; mirrors the model's queue (docs/KUBERNETES.md lists every
/// field with its default). Durations are written as in scenario files: <c>90s</c>, <c>10m</c>, <c>1h30m</c>, <c>1d</c>.
/// </summary>
public sealed record QueueSpec
{
    /// <summary>The <see cref="Cohort"/> it lends to and borrows from; absent: it never borrows.</summary>
    [JsonPropertyName("cohort")]
    public string? Cohort { get; init; }

    /// <summary>The flavors it may use, in the order they are tried, each with its quota.</summary>
    [JsonPropertyName("flavors")]
    public IList<FlavorQuotaSpec>? Flavors { get; init; }

    /// <summary>Fair-share weight, more than 0 (default 1).</summary>
    [JsonPropertyName("weight")]
    public double? Weight { get; init; }

    /// <summary>Heads of higher-priority queues are tried first (default 0).</summary>
    [JsonPropertyName("priority")]
    public int? Priority { get; init; }

    /// <summary><c>BestEffortFIFO</c> (default) or <c>StrictFIFO</c>.</summary>
    [JsonPropertyName("queueingStrategy")]
    public string? QueueingStrategy { get; init; }

    /// <summary><c>None</c> (default), <c>Hold</c> or <c>HoldAndDrain</c>.</summary>
    [JsonPropertyName("stopPolicy")]
    public string? StopPolicy { get; init; }

    [JsonPropertyName("preemption")]
    public QueuePreemptionSpec? Preemption { get; init; }

    [JsonPropertyName("flavorFungibility")]
    public FlavorFungibilitySpec? FlavorFungibility { get; init; }

    /// <summary>A workload runs at least this long before it may be preempted or reclaimed (default 0s).</summary>
    [JsonPropertyName("minRuntime")]
    public string? MinRuntime { get; init; }

    /// <summary>At most this many of its running workloads evicted by others per <see cref="DisruptionWindow"/> (absent: no limit).</summary>
    [JsonPropertyName("disruptionBudget")]
    public int? DisruptionBudget { get; init; }

    /// <summary>The rolling window of <see cref="DisruptionBudget"/> (default 1h).</summary>
    [JsonPropertyName("disruptionWindow")]
    public string? DisruptionWindow { get; init; }

    /// <summary>What happens to its running workloads whose GPUs sit idle (absent: nothing; activity comes from telemetry).</summary>
    [JsonPropertyName("idleGpus")]
    public IdleGpusSpec? IdleGpus { get; init; }

    /// <summary>
    /// Namespaces whose workloads may use it (Kueue's ClusterQueue <c>namespaceSelector</c>); a workload from another
    /// namespace waits with reason QueueNotAllowed, and Berth's webhook refuses it. Absent or <c>{}</c>: every namespace.
    /// Every namespace carries the label <c>kubernetes.io/metadata.name</c>, so a selector can name namespaces.
    /// </summary>
    [JsonPropertyName("namespaceSelector")]
    public k8s.Models.V1LabelSelector? NamespaceSelector { get; init; }

    /// <summary>Names of the admission checks its workloads must pass before they start.</summary>
    [JsonPropertyName("admissionChecks")]
    public IList<string>? AdmissionChecks { get; init; }
}
