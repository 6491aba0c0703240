using System.Text.Json.Serialization;

namespace Berth.Kubernetes.Api;

/// <summary>
/// A queue's idle-GPU policy (mirrors the model's <c>IdleGpuPolicy</c>): a running workload that has held its GPUs
/// at least <see cref="After"/> with activity (from telemetry, <c>berth operator --prometheus-url</c>) at or below
/// <see cref="Below"/> is idle, and <see cref="Action"/> says what follows.
/// </summary>
public sealed record IdleGpusSpec
{
    /// <summary>How long a workload must hold its GPUs before it can count as idle (default 30m).</summary>
    [JsonPropertyName("after")]
    public string? After { get; init; }

    /// <summary>Highest GPU activity, 0 to 1, that counts as idle (default 0.05).</summary>
    [JsonPropertyName("below")]
    public double? Below { get; init; }

    /// <summary><c>Notify</c> (default), <c>PreemptFirst</c> or <c>Reclaim</c>.</summary>
    [JsonPropertyName("action")]
    public string? Action { get; init; }

    /// <summary>With <c>Reclaim</c>: how long an idle preemptible workload may stay idle before it is stopped (default 15m).</summary>
    [JsonPropertyName("grace")]
    public string? Grace { get; init; }
}
