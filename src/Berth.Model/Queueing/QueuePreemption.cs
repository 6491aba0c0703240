namespace Berth.Model.Queueing;

/// <summary>What a queue's pending workloads may preempt to be admitted.</summary>
public sealed record QueuePreemption
{
    public static readonly QueuePreemption None = new();

    public static readonly QueuePreemption Full = new()
    {
        WithinQueue = WithinQueuePreemption.LowerPriority,
        Reclaim = ReclaimPolicy.Any,
        FairShare = true,
    };

    public WithinQueuePreemption WithinQueue { get; init; } = WithinQueuePreemption.Never;

    public ReclaimPolicy Reclaim { get; init; } = ReclaimPolicy.Never;

    /// <summary>
    /// Preempt workloads of other queues in the cohort when that reduces unfairness: only where the
    /// preemptor's queue share after admission stays strictly below the victim queue's share before.
    /// </summary>
    public bool FairShare { get; init; }
}
