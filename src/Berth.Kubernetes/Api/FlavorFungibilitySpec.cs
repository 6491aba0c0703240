using System.Text.Json.Serialization;

namespace Berth.Kubernetes.Api;

/// <summary>
/// What a queue prefers when the first flavor that could hold a workload needs borrowing or preemption
/// (mirrors the model's <c>FlavorFungibility</c>). Kueue's <c>whenCanBorrow: Borrow</c> is
/// <c>borrowBeforeNextFlavor: true</c>; <c>whenCanPreempt: Preempt</c> is <c>preemptBeforeNextFlavor: true</c>.
/// </summary>
public sealed record FlavorFungibilitySpec
{
    /// <summary>True: borrow in an earlier flavor; false (default): try the next flavors first.</summary>
    [JsonPropertyName("borrowBeforeNextFlavor")]
    public bool? BorrowBeforeNextFlavor { get; init; }

    /// <summary>True: preempt in an earlier flavor; false (default): try the next flavors first.</summary>
    [JsonPropertyName("preemptBeforeNextFlavor")]
    public bool? PreemptBeforeNextFlavor { get; init; }
}
