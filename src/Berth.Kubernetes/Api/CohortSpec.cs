using System.Text.Json.Serialization;

namespace Berth.Kubernetes.Api;

/// <summary>The desired state of a <see cref="Cohort"/>; mirrors the model's cohort.</summary>
public sealed record CohortSpec
{
    /// <summary>The parent cohort; absent for a root. The parent chain must end at a root (no cycles).</summary>
    [JsonPropertyName("parent")]
    public string? Parent { get; init; }

    /// <summary>Fair-share weight among its siblings, more than 0 (default 1).</summary>
    [JsonPropertyName("weight")]
    public double? Weight { get; init; }

    /// <summary>Quota the cohort holds itself, which its members may borrow; same form as a queue's flavors.</summary>
    [JsonPropertyName("flavors")]
    public IList<FlavorQuotaSpec>? Flavors { get; init; }
}
