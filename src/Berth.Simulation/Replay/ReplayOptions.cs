namespace Berth.Simulation.Replay;

/// <summary>Options of the replay mode.</summary>
public sealed record ReplayOptions
{
    /// <summary>Share of the pod list the target workload (typical pods) covers, for the fragmentation measure.</summary>
    public double TypicalPodCoverage { get; init; } = 0.95;

    /// <summary>
    /// Seconds a MIG re-partition delays the pod it makes room for (it holds its instance meanwhile). Default 30: an
    /// assumption, not a measurement; after a re-partition the device plugin must advertise the new instance again
    /// (NVIDIA's mig-manager restarts it), which takes seconds to tens of seconds. See docs/PERFORMANCE.md.
    /// </summary>
    public long MigRepartitionSeconds { get; init; } = 30;

    /// <summary>Called after each event with (events processed, total events); for progress bars. May be null.</summary>
    public Action<int, int>? Progress { get; init; }
}
