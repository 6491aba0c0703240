namespace Berth.Server.Jobs;

/// <summary>
/// What a user submits: a name, the queue, an optional priority class, the pod sets, and how long it runs on
/// simulated nodes (<see cref="Duration"/>, such as <c>30m</c>). <see cref="Command"/> and <see cref="Env"/> are
/// kept for a local executor and shown back; the simulated executor does not run them. Unknown JSON fields are
/// refused, so a typo never silently drops a request.
/// </summary>
public sealed record JobSpec
{
    public string? Name { get; init; }

    public string? Queue { get; init; }

    /// <summary>Who submitted it: the name of the token that did, set by the server (a value sent is replaced).</summary>
    public string? User { get; init; }

    public string? PriorityClass { get; init; }

    public IReadOnlyList<PodSetSpec>? PodSets { get; init; }

    public string? Duration { get; init; }

    /// <summary>The datasets it reads (<c>[{"name": "imagenet", "sizeGb": 150}]</c>): placement prefers nodes that cache them.</summary>
    public IReadOnlyList<DatasetSpec>? Datasets { get; init; }

    /// <summary>With <see cref="Datasets"/>: how long admission may hold it for nodes that cache them all, such as <c>10m</c>.</summary>
    public string? LocalityWait { get; init; }

    /// <summary>
    /// How busy its GPUs are while it runs, 0 to 1, on simulated nodes (the stand-in for telemetry there): with a
    /// queue's <c>idleGpus</c> policy an idle job is reported, taken first, or stopped. Null: not known, never idle.
    /// </summary>
    public double? GpuActivity { get; init; }

    /// <summary>
    /// The name of the token that submitted it, set by the server (a request that sets it is refused): the user of
    /// showback (<c>GET /api/v1/usage</c>, <c>berth report usage</c>).
    /// </summary>
    public string? SubmittedBy { get; init; }

    public IReadOnlyList<string>? Command { get; init; }

    public IReadOnlyDictionary<string, string>? Env { get; init; }

    /// <summary>
    /// A checkpointable job's signal (<c>USR1</c>, <c>USR2</c> or <c>HUP</c>): on cancel or preemption the local
    /// executor sends it first, then SIGTERM half the grace period later, then SIGKILL at its end. Null: SIGTERM first.
    /// </summary>
    public string? CheckpointSignal { get; init; }

    /// <summary><c>Never</c> (default) or <c>OnFailure</c>: see <see cref="Jobs.RestartPolicy"/>.</summary>
    public string? RestartPolicy { get; init; }

    /// <summary>Restarts an <c>OnFailure</c> job gets before it fails (default 3, at most 100).</summary>
    public int? BackoffLimit { get; init; }
}
