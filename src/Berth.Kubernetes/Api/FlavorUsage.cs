using System.Text.Json.Serialization;

namespace Berth.Kubernetes.Api;

/// <summary>A queue's usage in one flavor.</summary>
public sealed record FlavorUsage
{
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("resources")]
    public IList<ResourceUsage>? Resources { get; init; }
}
