namespace Berth.Kubernetes.Tests.Scale;

/// <summary>
/// Size of a <see cref="RestartScenario"/>. Bound pods share GPUs in halves (<c>berth.dev/gpu-share: 500</c>), ten to
/// a node on GPUs 0-4, so GPUs 5-7 of every node stay free for the pending work.
/// </summary>
internal sealed record RestartScenarioOptions
{
    public int Nodes { get; init; } = 5_000;

    /// <summary>Pods already bound, in admitted pod groups of <see cref="GangSize"/>.</summary>
    public int BoundPods { get; init; } = 50_000;

    public int GangSize { get; init; } = 8;

    /// <summary>Pending pod groups (whole-GPU pods, not admitted yet).</summary>
    public int PendingGangs { get; init; } = 100;

    /// <summary>Admitted pod groups whose binding a crash interrupted: half of their pods bound, the rest where the record says.</summary>
    public int InterruptedGangs { get; init; } = 10;

    public int Queues { get; init; } = 20;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);
}
