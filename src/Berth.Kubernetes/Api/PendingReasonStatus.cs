using System.Text.Json.Serialization;

namespace Berth.Kubernetes.Api;

/// <summary>Why a pod group is not admitted yet: a reason code (as the engine's pending reasons), a message, and the flavor it concerns.</summary>
public sealed record PendingReasonStatus
{
    [JsonPropertyName("code")]
    public string? Code { get; init; }

    [JsonPropertyName("message")]
    public string? Message { get; init; }

    [JsonPropertyName("flavor")]
    public string? Flavor { get; init; }
}
