namespace Berth.Simulation.Replay;

/// <summary>Options of the replay mode.</summary>
public sealed record ReplayOptions
{
    /// <summary>Share of the pod list the target workload (typical pods) covers, for the fragmentation measure.</summary>
    public double TypicalPodCoverage { get; init; } = 0.95;

    /// <summary>Called after each event with (events processed, total events); for progress bars. May be null.</summary>
    public Action<int, int>? Progress { get; init; }
}
