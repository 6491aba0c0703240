using System.Text.Json.Serialization;

namespace Berth.Kubernetes.Api;

/// <summary>Where a pod group's pods must sit: on nodes sharing one value of a node label (one rack, one NVLink domain).</summary>
public sealed record TopologySpec
{
    /// <summary>A node label key, or a short name: <c>rack</c>, <c>nvlink</c>, <c>zone</c>.</summary>
    [JsonPropertyName("key")]
    public string? Key { get; init; }

    /// <summary>
    /// <c>Required</c> (default): all pods of a shape inside one domain, or none placed. <c>Preferred</c>:
    /// inside one domain when one has room, else placed without the constraint.
    /// </summary>
    [JsonPropertyName("mode")]
    public string? Mode { get; init; }
}
