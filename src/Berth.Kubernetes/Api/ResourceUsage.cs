using System.Text.Json.Serialization;

namespace Berth.Kubernetes.Api;

/// <summary>How much of one resource a queue's admitted workloads use in one flavor, as quantities.</summary>
public sealed record ResourceUsage
{
    /// <summary><c>gpu</c>, <c>cpu</c> or <c>memory</c>.</summary>
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    /// <summary>All that is used, borrowed part included.</summary>
    [JsonPropertyName("total")]
    public string? Total { get; init; }

    /// <summary>The part above the nominal quota, taken from the cohort.</summary>
    [JsonPropertyName("borrowed")]
    public string? Borrowed { get; init; }
}
