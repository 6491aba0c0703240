namespace Berth.Web;

/// <summary>
/// One page of a queue's waiting workloads (Kueue's <c>PendingWorkloadsSummary</c>): those in the queue's order first
/// (by <see cref="PendingWorkloadView.PositionInQueue"/>), then those it cannot try yet (oldest first);
/// <see cref="Offset"/> skips that many of them, at most <see cref="Limit"/> follow, <see cref="Total"/> counts all
/// the caller may see. <see cref="DecidedAt"/> is the decision they come from. A position in the cohort orders the
/// pending workloads of every queue of <see cref="Cohort"/> as their heads are tried when fair share does not reorder
/// them: queue priority first, then workload priority, then creation, each queue's own order kept.
/// </summary>
public sealed record PendingWorkloadsView(string Queue, string? Cohort, DateTimeOffset? DecidedAt, int Total, int Offset, int Limit, IReadOnlyList<PendingWorkloadView> Items)
{
    /// <summary>Always <c>PendingWorkloadsSummary</c>, the kind of Kueue's answer, so scripts written for it find their way.</summary>
    public string Kind => "PendingWorkloadsSummary";
}
