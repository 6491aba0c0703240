namespace Berth.Model.Queueing;

/// <summary>
/// A quota holder (Kueue ClusterQueue, Volcano/KAI Queue): its flavors in the order they are tried, each
/// with nominal quota, borrowing and lending limits; a fair-share weight; a queueing strategy; a stop
/// policy; what it may preempt; how long its workloads run before they may be preempted or reclaimed; a
/// priority among queues; and a disruption budget.
/// </summary>
public sealed record Queue(string Name)
{
    public string? Cohort { get; init; }

    public IReadOnlyList<FlavorQuota> Flavors { get; init; } = [];

    public double Weight { get; init; } = 1.0;

    /// <summary>Heads of higher-priority queues are tried first in every cycle, before fair share (KAI/Volcano queue priority).</summary>
    public int Priority { get; init; }

    /// <summary>
    /// At most this many of the queue's running workloads may be evicted by preemption, reclaim or
    /// consolidation within any <see cref="DisruptionWindow"/> (null: no limit). Evictions the queue asked
    /// for itself (hold and drain, a gang that never became ready) do not count.
    /// </summary>
    public int? DisruptionBudget { get; init; }

    /// <summary>Names of the admission checks its workloads must pass before they start (see <see cref="AdmissionCheck"/>).</summary>
    public IReadOnlyList<string> AdmissionChecks { get; init; } = [];

    /// <summary>The rolling window of <see cref="DisruptionBudget"/>.</summary>
    public TimeSpan DisruptionWindow { get; init; } = TimeSpan.FromHours(1);

    public QueueingStrategy Strategy { get; init; } = QueueingStrategy.BestEffortFifo;

    public StopPolicy Stop { get; init; } = StopPolicy.None;

    public QueuePreemption Preemption { get; init; } = QueuePreemption.None;

    public FlavorFungibility Fungibility { get; init; } = FlavorFungibility.Default;

    /// <summary>A workload of this queue runs at least this long before it may be preempted or reclaimed.</summary>
    public TimeSpan MinRuntime { get; init; }

    /// <summary>What the queue does about its running workloads whose GPUs sit idle; null: nothing.</summary>
    public IdleGpuPolicy? IdleGpus { get; init; }
}
