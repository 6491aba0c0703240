namespace Berth.Web;

/// <summary>
/// One waiting workload as the visibility API lists it (Kueue's <c>PendingWorkload</c> is the model): which it is
/// (<see cref="Job"/> is its id in <c>/api/v1/jobs/{id}</c>), its priority, where it stands, 1-based, in its queue (the
/// engine's order: priority, creation, submission), among the waiting workloads of its queue's cohort (see
/// <see cref="PendingWorkloadsView"/>) and of its namespace in that queue (Kueue's position in a LocalQueue; only on
/// Kubernetes), why it waits, and when it is expected to start where that is known. A position is null for a workload
/// the queue cannot try yet (an invalid spec, a gang still missing pods). <see cref="Priority"/> is null where the
/// source knows only the class name (the server).
/// </summary>
public sealed record PendingWorkloadView(string Job, string Name, string? Namespace, string Kind, int? Priority, DateTimeOffset Created, int? PositionInQueue, PendingView Reason)
{
    public string? PriorityClass { get; init; }

    public int? PositionInCohort { get; init; }

    public int? PositionInNamespace { get; init; }

    public double Gpus { get; init; }

    public int Pods { get; init; }

    public DateTimeOffset? ExpectedStart { get; init; }
}
