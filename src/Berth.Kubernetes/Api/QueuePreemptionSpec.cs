using System.Text.Json.Serialization;

namespace Berth.Kubernetes.Api;

/// <summary>What a queue's pending workloads may preempt (mirrors the model's <c>QueuePreemption</c>).</summary>
public sealed record QueuePreemptionSpec
{
    /// <summary><c>Never</c> (default), <c>LowerPriority</c> or <c>LowerOrNewerEqualPriority</c>.</summary>
    [JsonPropertyName("withinQueue")]
    public string? WithinQueue { get; init; }

    /// <summary>Which borrowers of the cohort a queue under its nominal quota may evict: <c>Never</c> (default), <c>LowerPriority</c> or <c>Any</c>.</summary>
    [JsonPropertyName("reclaimWithinCohort")]
    public string? ReclaimWithinCohort { get; init; }

    /// <summary>Preempt other queues' workloads in the cohort when that reduces unfairness (default false).</summary>
    [JsonPropertyName("fairShare")]
    public bool? FairShare { get; init; }
}
