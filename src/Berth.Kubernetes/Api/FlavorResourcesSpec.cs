using System.Text.Json.Serialization;

namespace Berth.Kubernetes.Api;

/// <summary>
/// The quota per resource in one flavor. A resource left out is not limited by the queue. Units: GPUs
/// (<c>8</c>, <c>0.5</c> or <c>500m</c>), CPU cores (<c>64</c>, <c>500m</c>), memory bytes (<c>256Gi</c>).
/// </summary>
public sealed record FlavorResourcesSpec
{
    [JsonPropertyName("gpu")]
    public ResourceQuotaSpec? Gpu { get; init; }

    [JsonPropertyName("cpu")]
    public ResourceQuotaSpec? Cpu { get; init; }

    [JsonPropertyName("memory")]
    public ResourceQuotaSpec? Memory { get; init; }
}
