namespace Berth.Web;

/// <summary>
/// A job as the API shows it. <see cref="Pending"/>, <see cref="QueuePosition"/> and <see cref="ExpectedStart"/>
/// come from the last decision (set while it waits); <see cref="Events"/>, <see cref="Reasons"/>, <see cref="PodSets"/> and
/// <see cref="Command"/> only on GET of one job. One shape for the server and for Kubernetes (where a job is a workload).
/// </summary>
public sealed record JobView
{
    public required string Id { get; init; }

    public string? Name { get; init; }

    public required string Queue { get; init; }

    public string? PriorityClass { get; init; }

    /// <summary>Who submitted it: the server's token name, or the namespace/owner in Kubernetes; null when not known.</summary>
    public string? User { get; init; }

    public required JobState State { get; init; }

    /// <summary>GPUs asked for, over all pods (a share counts as its fraction).</summary>
    public double Gpus { get; init; }

    public int Pods { get; init; }

    public string? Duration { get; init; }

    /// <summary>How busy its GPUs are while it runs, 0 to 1, as stated on simulated nodes; null: not known.</summary>
    public double? GpuActivity { get; init; }

    /// <summary>GPU-hours the job has held since it started (its GPUs × time running, to its end or now on the server clock); null before it starts.</summary>
    public double? AllocatedGpuHours { get; init; }

    /// <summary><see cref="AllocatedGpuHours"/> weighted by its GPU activity: GPU-hours of useful work; null where the activity is not known.</summary>
    public double? UsedGpuHours { get; init; }

    public required DateTimeOffset Created { get; init; }

    public DateTimeOffset? AdmittedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Seconds from submit to start (or to now while it waits).</summary>
    public double WaitedSeconds { get; init; }

    public string? Flavor { get; init; }

    public string? Message { get; init; }

    public IReadOnlyList<PlacementView>? Placement { get; init; }

    public PendingView? Pending { get; init; }

    public int? QueuePosition { get; init; }

    public DateTimeOffset? ExpectedStart { get; init; }

    public IReadOnlyList<PodSetView>? PodSets { get; init; }

    public IReadOnlyList<string>? Command { get; init; }

    public IReadOnlyList<EventView>? Events { get; init; }

    /// <summary>Every pending reason it has had, oldest first, each from when it began (only on GET of one job; may be empty where the source keeps none).</summary>
    public IReadOnlyList<ReasonView>? Reasons { get; init; }

    /// <summary>
    /// Right-sizing advice from its GPU samples ("asked 8 GPUs, used at most 2 at p95 ...: 2 GPUs would do"), only on
    /// GET of one job and only where the source has samples (the server; <c>GET /api/v1/jobs/{id}/rightsizing</c> has the figures).
    /// </summary>
    public string? RightSizing { get; init; }

    /// <summary>Every run it has had, first first (only on GET of one job, from a source that records runs): what showback charges.</summary>
    public IReadOnlyList<RunView>? Runs { get; init; }
}
