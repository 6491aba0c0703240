namespace Berth.Kubernetes.Views;

/// <summary>
/// One waiting workload as the visibility API lists it (Kueue's <c>PendingWorkload</c> is the model): which it is,
/// its priority, where it stands, 1-based, in its queue (the engine's order: priority, creation, submission), among
/// the pending workloads of its queue's cohort (see <see cref="PendingWorkloadsView"/>) and of its namespace in that
/// queue (Kueue's position in a LocalQueue), why it waits, and when it is expected to start where that is known.
/// A position is null for a workload the queue cannot try yet (an invalid spec, a gang still missing pods).
/// </summary>
public sealed record PendingWorkloadView(string Job, string Name, string? Namespace, string Kind, int Priority, DateTimeOffset Created, int? PositionInQueue, PendingView Reason)
{
    public int? PositionInCohort { get; init; }

    public int? PositionInNamespace { get; init; }

    public double Gpus { get; init; }

    public int Pods { get; init; }

    public DateTimeOffset? ExpectedStart { get; init; }
}
