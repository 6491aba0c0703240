namespace Berth.Model.Queueing;

/// <summary>
/// A quota holder (Kueue ClusterQueue, Volcano/KAI Queue): its flavors in the order they are tried, each
/// with nominal quota, borrowing and lending limits; a fair-share weight; a queueing strategy; a stop
/// policy; what it may preempt; and how long its workloads run before they may be preempted or reclaimed.
/// </summary>
public sealed record Queue(string Name)
{
    public string? Cohort { get; init; }

    public IReadOnlyList<FlavorQuota> Flavors { get; init; } = [];

    public double Weight { get; init; } = 1.0;

    public QueueingStrategy Strategy { get; init; } = QueueingStrategy.BestEffortFifo;

    public StopPolicy Stop { get; init; } = StopPolicy.None;

    public QueuePreemption Preemption { get; init; } = QueuePreemption.None;

    public FlavorFungibility Fungibility { get; init; } = FlavorFungibility.Default;

    /// <summary>A workload of this queue runs at least this long before it may be preempted or reclaimed.</summary>
    public TimeSpan MinRuntime { get; init; }
}
