using Berth.Model.Queueing;

namespace Berth.Engine.Admission;

/// <summary>
/// The one current reason a workload waits: the rule that blocks it, in which flavor, the amounts
/// (requested vs available, in the resource's unit), and what would unblock it.
/// </summary>
public sealed record PendingReason(PendingReasonCode Code, string Message)
{
    public static readonly PendingReason Queued = new(PendingReasonCode.Queued, "waiting for the next admission cycle");

    public string? Flavor { get; init; }

    public ResourceKind? Resource { get; init; }

    public long? Requested { get; init; }

    public long? Available { get; init; }

    /// <summary>What would let it in (a person reads this).</summary>
    public string Unblock { get; init; } = string.Empty;

    public override string ToString() => string.IsNullOrEmpty(Unblock) ? $"{Code}: {Message}" : $"{Code}: {Message}; {Unblock}";
}
