using System.Text.Json.Serialization;
using k8s.Models;

namespace Berth.Kubernetes.Api;

/// <summary>The observed state of a <see cref="Queue"/>, written by the controller.</summary>
public sealed record QueueStatus
{
    /// <summary><c>Ready</c> (the spec is valid and in use) and <c>Active</c> (it admits workloads).</summary>
    [JsonPropertyName("conditions")]
    public IList<V1Condition>? Conditions { get; init; }

    [JsonPropertyName("pendingWorkloads")]
    public int? PendingWorkloads { get; init; }

    [JsonPropertyName("admittedWorkloads")]
    public int? AdmittedWorkloads { get; init; }

    /// <summary>Usage per flavor, in the queue's flavor order.</summary>
    [JsonPropertyName("usage")]
    public IList<FlavorUsage>? Usage { get; init; }

    /// <summary>When others' preemption, reclaim or consolidation evicted this queue's workloads within its disruption window (only with spec.disruptionBudget).</summary>
    [JsonPropertyName("recentDisruptions")]
    public IList<DateTime>? RecentDisruptions { get; init; }
}
