using System.Text.Json.Serialization;
using k8s.Models;

namespace Berth.Kubernetes.Api;

/// <summary>The observed state of a <see cref="Cohort"/>: its <c>Ready</c> condition.</summary>
public sealed record CohortStatus
{
    [JsonPropertyName("conditions")]
    public IList<V1Condition>? Conditions { get; init; }
}
