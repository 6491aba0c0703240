using System.Text.Json.Serialization;
using k8s.Models;

namespace Berth.Kubernetes.Api;

/// <summary>The observed state of a <see cref="Flavor"/>: its <c>Ready</c> condition.</summary>
public sealed record FlavorStatus
{
    [JsonPropertyName("conditions")]
    public IList<V1Condition>? Conditions { get; init; }
}
