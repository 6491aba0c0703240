namespace Berth.Model.Queueing;

/// <summary>What a queue prefers when the first flavor that could hold a workload needs borrowing or preemption.</summary>
public sealed record FlavorFungibility
{
    public static readonly FlavorFungibility Default = new();

    /// <summary>True: borrow in an earlier flavor; false (default): try the next flavors first, borrow only if none fits within nominal.</summary>
    public bool BorrowBeforeNextFlavor { get; init; }

    /// <summary>True: preempt in an earlier flavor; false (default): try the next flavors first, preempt only if none fits.</summary>
    public bool PreemptBeforeNextFlavor { get; init; }
}
