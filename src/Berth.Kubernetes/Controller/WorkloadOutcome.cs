namespace Berth.Kubernetes.Controller;

/// <summary>
/// Where one workload stands after a decision, as read-only views and the visibility API show it: running (with its
/// flavor), or waiting with a reason code, a message, and where the engine knows them its 1-based position in its
/// queue and its expected start. Kept on the <see cref="DecisionPlan"/> so a reader sees exactly what the decision
/// said, not a second computation that could disagree with it.
/// </summary>
public sealed record WorkloadOutcome
{
    /// <summary>The workload's id (<c>namespace/name</c> for Jobs and PodGroups, as the planner names it).</summary>
    public required string Id { get; init; }

    /// <summary><c>Job</c>, <c>PodGroup</c>, <c>Gang</c> (pods sharing a pod-group label, or a LeaderWorkerSet group), <c>Pod</c>, or a job framework's kind (<c>JobSet</c>, <c>RayJob</c>, ...).</summary>
    public required string Kind { get; init; }

    public required string Namespace { get; init; }

    public required string Name { get; init; }

    public required string Queue { get; init; }

    /// <summary>Its priority value (from its PriorityClass; 0 without one).</summary>
    public int Priority { get; init; }

    public DateTimeOffset Created { get; init; }

    /// <summary>GPUs asked for over all pods (a share counts as its fraction).</summary>
    public double Gpus { get; init; }

    public int Pods { get; init; }

    /// <summary>True when admitted and running; false while it waits.</summary>
    public bool Running { get; init; }

    /// <summary>Why it waits (a pending reason code, or a problem's); null while running.</summary>
    public string? Code { get; init; }

    public string? Message { get; init; }

    /// <summary>The flavor it runs in, or the flavor its pending reason concerns.</summary>
    public string? Flavor { get; init; }

    /// <summary>1-based place in its queue's order (priority, creation, submission); null where it is not in the queue's order (a problem, an incomplete gang).</summary>
    public int? Position { get; init; }

    public DateTimeOffset? ExpectedStart { get; init; }

    /// <summary>When it was admitted (from its admission record); null while it waits, or for pods Berth found running.</summary>
    public DateTimeOffset? AdmittedAt { get; init; }

    /// <summary>Its member pods (<c>namespace/name</c>), as the planner grouped them: which pod holds GPUs for which workload.</summary>
    public IReadOnlyList<string> PodKeys { get; init; } = [];
}
