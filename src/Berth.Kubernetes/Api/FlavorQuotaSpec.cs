using System.Text.Json.Serialization;

namespace Berth.Kubernetes.Api;

/// <summary>One entry of a queue's or cohort's <c>flavors</c> list: the flavor's name and its quota per resource.</summary>
public sealed record FlavorQuotaSpec
{
    /// <summary>The name of a <see cref="Flavor"/> object.</summary>
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("resources")]
    public FlavorResourcesSpec? Resources { get; init; }
}
