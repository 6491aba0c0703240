using System.Text.Json.Serialization;
using k8s.Models;

namespace Berth.Kubernetes.Api;

/// <summary>The observed state of a <see cref="PodGroup"/>, written by the controller.</summary>
public sealed record PodGroupStatus
{
    /// <summary>One of <see cref="PodGroupPhases"/>.</summary>
    [JsonPropertyName("phase")]
    public string? Phase { get; init; }

    /// <summary><c>Ready</c> (the spec is valid), <c>Admitted</c>, <c>PodsReady</c>, <c>Evicted</c> (see <see cref="ConditionTypes"/>).</summary>
    [JsonPropertyName("conditions")]
    public IList<V1Condition>? Conditions { get; init; }

    [JsonPropertyName("pendingReason")]
    public PendingReasonStatus? PendingReason { get; init; }

    /// <summary>Position in its queue (0 = head) while pending.</summary>
    [JsonPropertyName("queuePosition")]
    public int? QueuePosition { get; init; }

    /// <summary>When the group is expected to start, where an estimate can be made.</summary>
    [JsonPropertyName("expectedStart")]
    public DateTime? ExpectedStart { get; init; }

    /// <summary>The flavor it was admitted in.</summary>
    [JsonPropertyName("admittedFlavor")]
    public string? AdmittedFlavor { get; init; }
}
